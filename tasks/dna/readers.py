"""DNA readers: FASTA (Biopython), sequence CSV/TSV, BED intervals cut from a reference (pyfaidx).

Each reader gives `Record(id, seq, label)` lists: `seq` upper-case over A/C/G/T/N (other IUPAC
letters become N, counted), `label` a string, or a tuple of label names for multi-label data.
A record that cannot be used (an empty sequence, a letter outside IUPAC, an interval past the end
of its chromosome, an id missing from the label file) is skipped with its reason, or with
`data.strict=true` is a one-line error naming the file and the record.
"""
from __future__ import annotations

import csv
import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from suite.errors import UserError

IUPAC = set("ACGTURYSWKMBDHVN")  # U is read as T; the other ambiguity codes become N
FASTA_SUFFIXES = (".fa", ".fasta", ".fna", ".fas")
COMPLEMENT = str.maketrans("ACGTN", "TGCAN")
TRUE, FALSE = {"1", "true", "yes", "+", "pos", "positive"}, {"0", "false", "no", "-", "neg", "negative"}


class Record(NamedTuple):
    id: str
    seq: str  # A/C/G/T/N only
    label: object  # str, or a tuple of label names (multi-label)


@dataclass
class Batch:
    """What one file gave: its usable records, what was skipped (name, reason), ambiguous bases."""
    records: list[Record] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    ambiguous: int = 0


class Reading:
    """Collects records of one file, applying data.strict to each bad one."""

    def __init__(self, path, strict: bool):
        self.path, self.strict, self.out = str(path), strict, Batch()

    def bad(self, record: str, reason: str) -> None:
        if self.strict:
            raise UserError(f"{self.path}: record {record}: {reason} (data.strict=true; fix the file or set "
                            "data.strict=false to skip such records)")
        self.out.skipped.append((f"{Path(self.path).name}:{record}", reason))

    def add(self, rid: str, raw: str, label) -> None:
        seq, problem, ambiguous = clean(raw)
        if problem:
            self.bad(rid, problem)
        else:
            self.out.ambiguous += ambiguous
            self.out.records.append(Record(rid, seq, label))


def clean(raw: str) -> tuple[str, str | None, int]:
    """Raw letters -> (A/C/G/T/N sequence, problem or None, ambiguous letters turned into N)."""
    seq = re.sub(r"\s+", "", str(raw)).upper().replace("U", "T")
    if not seq:
        return "", "empty sequence", 0
    odd = set(seq) - IUPAC
    if odd:
        return "", f"letters outside IUPAC nucleotide codes: {''.join(sorted(odd))[:10]!r}", 0
    ambiguous = sum(seq.count(c) for c in "RYSWKMBDHV")
    if ambiguous:
        seq = re.sub("[RYSWKMBDHV]", "N", seq)
    return seq, None, ambiguous


def reverse_complement(seq: str) -> str:
    return seq.translate(COMPLEMENT)[::-1]


def _open_text(path: Path):
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else open(path, encoding="utf-8")


def _existing(path, key: str) -> Path:
    p = Path(str(path)).expanduser()
    if not p.is_file():
        raise UserError(f"{key}={path} does not exist: give the path of an existing file")
    return p


# --- FASTA -------------------------------------------------------------------------------------
def header_label(rid: str, description: str) -> tuple[str, str | None]:
    """`>id label=1 ...` or `>id|label` -> (id, label or None); `label=` with nothing after it is
    an empty label (no target, for multi-label data)."""
    found = re.search(r"(?:^|\s)label=(\S*)", description)
    if found:
        return rid, found.group(1)
    if "|" in rid:
        head, _, tail = rid.rpartition("|")
        return head, tail or None
    return rid, None


def read_label_table(path, key: str = "data.labels") -> dict[str, str]:
    """A TSV/CSV of id,label (a header row `id,label` is recognised and skipped)."""
    p = _existing(path, key)
    with _open_text(p) as f:
        text = f.read()
    delimiter = "\t" if "\t" in text.split("\n", 1)[0] else ","
    table = {}
    for n, row in enumerate(csv.reader(text.splitlines(), delimiter=delimiter)):
        if not row or not row[0].strip() or row[0].startswith("#"):
            continue
        if len(row) < 2:
            raise UserError(f"{p} line {n + 1}: expected 'id{delimiter}label', got {row!r}: one id and label a line")
        if n == 0 and row[0].strip().lower() == "id":
            continue
        table[row[0].strip()] = row[1].strip()
    return table


def read_fasta(path, *, labels: dict | None, multilabel: bool, strict: bool, key: str) -> Batch:
    from Bio import SeqIO

    p = _existing(path, key)
    if not p.name.lower().removesuffix(".gz").endswith(FASTA_SUFFIXES):
        raise UserError(f"{key}={path} is not a FASTA file (.fa/.fasta/.fna, optionally .gz): "
                        "use data=seq_csv for a CSV/TSV, data=bed for intervals")
    reading = Reading(p, strict)
    try:
        with _open_text(p) as f:
            for record in SeqIO.parse(f, "fasta"):
                rid, label = header_label(record.id, record.description)
                if labels is not None:
                    label = labels.get(rid, labels.get(record.id))
                    if label is None:
                        reading.bad(rid, "id missing from the label file (data.labels)")
                        continue
                if label is None or (label == "" and not multilabel):
                    reading.bad(rid, "no label: write '>id label=X' or '>id|X', or give data.labels=TSV")
                    continue
                reading.add(rid, str(record.seq), tuple(x for x in re.split(r"[;,]", label) if x) if multilabel
                            else label)
    except (ValueError, UnicodeDecodeError, OSError, EOFError) as e:
        raise UserError(f"{key}={path} is not readable as FASTA ({e}): write '>id label=X' headers, "
                        "one sequence after each") from e
    return reading.out


# --- CSV / TSV ---------------------------------------------------------------------------------
def _flag(value: str):
    v = value.strip().lower()
    return True if v in TRUE else False if v in FALSE else None


def read_seq_csv(path, *, sequence_column: str, label_columns: list[str], id_column: str | None, strict: bool,
                 key: str) -> Batch:
    """A header row, a sequence column and one label column (or several 0/1 columns: multi-label)."""
    p = _existing(path, key)
    name = p.name.lower().removesuffix(".gz")
    with _open_text(p) as f:
        reader = csv.DictReader(f, delimiter="\t" if name.endswith((".tsv", ".txt")) else ",")
        columns = reader.fieldnames or []
        wanted = [sequence_column, *label_columns, *([id_column] if id_column else [])]
        missing = [c for c in wanted if c not in columns]
        if missing:
            raise UserError(f"{p} has no column '{missing[0]}' (it has {', '.join(columns) or 'no header'}): "
                            "set data.sequence_column / data.label_columns / data.id_column")
        reading, multi = Reading(p, strict), len(label_columns) > 1
        for n, row in enumerate(reader, start=2):
            rid = row[id_column] if id_column else f"line{n}"
            values = [(row[c] or "").strip() for c in label_columns]
            if multi:
                flags = [_flag(v) for v in values]
                if None in flags:
                    reading.bad(rid, f"label columns must hold 0/1, got {values}")
                    continue
                label = tuple(c for c, on in zip(label_columns, flags) if on)
            else:
                label = values[0]
                if not label:
                    reading.bad(rid, "empty label")
                    continue
            reading.add(rid, row[sequence_column] or "", label)
    return reading.out


# --- BED + reference ---------------------------------------------------------------------------
def read_bed(path, *, reference, length: int, label_column: int, strict: bool, key: str) -> Batch:
    """BED intervals (0-based, end exclusive), each a `length`-bp window centred on the interval,
    cut from the reference and reverse-complemented on the minus strand (column 6)."""
    from pyfaidx import Fasta, FastaIndexingError

    p = _existing(path, key)
    ref_path = _existing(reference, "data.reference")
    try:
        genome = Fasta(str(ref_path), sequence_always_upper=True, rebuild=False)
    except (FastaIndexingError, ValueError, OSError) as e:
        raise UserError(f"data.reference={reference} cannot be indexed as FASTA ({e}): give an uncompressed "
                        "or bgzip FASTA") from e
    reading = Reading(p, strict)
    with _open_text(p) as f:
        for n, line in enumerate(f, start=1):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            cols = line.rstrip("\n").split("\t") if "\t" in line else line.split()
            where = f"line{n}"
            if len(cols) < max(3, label_column):
                reading.bad(where, f"needs chrom, start, end and a label in column {label_column}")
                continue
            chrom, start, end = cols[0], cols[1], cols[2]
            if not (start.isdigit() and end.isdigit()) or int(end) <= int(start):
                reading.bad(where, f"start/end {start!r}/{end!r} are not 0 <= start < end")
                continue
            where = f"{chrom}:{start}-{end}"
            if chrom not in genome:
                reading.bad(where, f"chromosome {chrom} is not in the reference {ref_path.name}")
                continue
            size = len(genome[chrom])
            lo = (int(start) + int(end)) // 2 - length // 2
            if int(end) > size or lo < 0 or lo + length > size:
                reading.bad(where, f"the {length}-bp window runs past the end of {chrom} (length {size})")
                continue
            seq = str(genome[chrom][lo:lo + length])
            if len(cols) >= 6 and cols[5] == "-":
                seq = reverse_complement(seq)
            reading.add(where, seq, cols[label_column - 1].strip())
    genome.close()
    return reading.out
