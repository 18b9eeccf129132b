"""suite-predict for dna: a FASTA file (optionally .gz) or a raw sequence -> id, probabilities, label.

A bad record (empty, letters outside IUPAC, too long) is one line on stderr; the file's good
records are still predicted. Nothing usable at all is a one-line error."""
from __future__ import annotations

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
    return results
