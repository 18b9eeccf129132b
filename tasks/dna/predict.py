"""suite-predict for dna: a FASTA file (optionally .gz) or a raw sequence -> id, probabilities, label.

A bad record (empty, letters outside IUPAC, too long) is one line on stderr; the file's good
records are still predicted. Nothing usable at all is a one-line error. With save_saliency=true,
each record's per-base importance (PNG + TSV) and the first convolution's filter logos go to out_dir."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import torch
from omegaconf import DictConfig

from suite.errors import UserError
from tasks.dna import readers
from tasks.dna.datamodule import collate, to_indices


def _is_file(spec: str) -> bool:
    try:
        return Path(spec).expanduser().is_file()
    except OSError:  # a long sequence is not a valid file name
        return False


def read_inputs(spec) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """input=FILE.fa[.gz] or input=ACGT... -> ([(id, raw sequence)], [(id, problem)])."""
    text = str(spec)
    if _is_file(text):
        from Bio import SeqIO

        path = Path(text).expanduser()
        try:
            with readers._open_text(path) as f:
                return [(r.id, str(r.seq)) for r in SeqIO.parse(f, "fasta")], []
        except (ValueError, UnicodeDecodeError, OSError, EOFError) as e:
            raise UserError(f"input file '{path}' is not readable as FASTA ({e}): write '>id' headers, "
                            "a sequence after each") from e
    if not text.strip():
        raise UserError("input is empty: give input=ACGT... (a sequence) or input=FILE.fa")
    return [("input", text.strip())], []


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result per good record: {"id", "label", "probabilities", "text": "id<TAB>label<TAB>p"}."""
    records, _ = read_inputs(cfg.input)
    if not records:
        raise UserError(f"input file '{cfg.input}' holds no FASTA records: write '>id' headers, a sequence after each")
    limit = int(cfg.get("max_length", 100000))
    good = []
    for rid, raw in records:
        seq, problem, _ = readers.clean(raw)
        if not problem and len(seq) > limit:
            problem = f"{len(seq)} bases, over max_length={limit}: cut it or raise max_length"
        if problem:
            print(f"skipped record {rid}: {problem}", file=sys.stderr)
        else:
            good.append({"id": rid, "seq": to_indices(seq, limit), "target": 0})
    if not good:
        raise UserError(f"no usable record in input={cfg.input}: see the lines above (sequences of A/C/G/T/N)")
    results, multi = [], module.label_type == "multilabel"
    for start in range(0, len(good), int(cfg.batch_size)):
        batch = collate(good[start:start + int(cfg.batch_size)], "binary")
        probs = module.probabilities(batch["seq"], batch["lengths"])  # (B, C)
        for rid, p in zip(batch["ids"], probs):
            named = {c: round(float(q), 4) for c, q in zip(module.classes, p)}
            label = ",".join(c for c, q in named.items() if q > 0.5) if multi else module.classes[int(torch.argmax(p))]
            shown = " ".join(f"{c}={q:.3f}" for c, q in named.items())
            results.append({"id": rid, "label": label, "probabilities": named, "text": f"{rid}\t{label}\t{shown}"})
    if cfg.get("save_saliency"):
        save_interpretation(module, good, results, cfg)
    return results


def _file_name(rid: str, index: int) -> str:
    """A record id made safe as a file name, numbered (ids may repeat or hold slashes)."""
    return f"{index:04d}_{re.sub(r'[^A-Za-z0-9_.-]+', '_', rid)[:60]}"


def save_interpretation(module, good: list[dict], results: list[dict], cfg: DictConfig) -> None:
    """Per record: saliency PNG + TSV (in-silico mutagenesis); once: the filter logos of these records.
    Adds "saliency" (the PNG path) and "saliency_class" to each result it could explain."""
    from tasks.dna.interpret import export_filters, mutagenesis
    from tasks.dna.plots import save_saliency_plot

    out, limit = Path(str(cfg.out_dir)), int(cfg.get("saliency_max_length", 2000))
    for index, (item, result) in enumerate(zip(good, results)):
        seq = item["seq"]
        if len(seq) > limit:
            print(f"no saliency for record {item['id']}: {len(seq)} bases, over saliency_max_length={limit} "
                  "(mutagenesis runs 3 forward passes a base): raise saliency_max_length", file=sys.stderr)
            continue
        importance, cls = mutagenesis(module, seq)
        bases = "".join("ACGTN"[int(b)] for b in seq)
        name = module.classes[cls]
        stem = out / f"saliency_{_file_name(item['id'], index)}"
        out.mkdir(parents=True, exist_ok=True)
        rows = [f"{i + 1}\t{b}\t{v:.5f}\n" for i, (b, v) in enumerate(zip(bases, importance.tolist()))]
        stem.with_suffix(".tsv").write_text(f"position\tbase\timportance_{name}\n" + "".join(rows))
        title = (f"{item['id']}: predicted {result['label']}; importance for class {name} "
                 "(log-odds change when the base is mutated, in-silico mutagenesis)")
        result["saliency"] = str(save_saliency_plot(bases, importance.tolist(), stem.with_suffix(".png"), title))
        result["saliency_class"] = name
    export_filters(module.net.conv, [it["seq"] for it in good], out, "input records")
