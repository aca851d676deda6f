"""Sentence embeddings from a user's local model, for the knowledge base (nothing is downloaded).

A model is a folder with three files:
    model.onnx       a sentence-embedding model (token embeddings [batch, seq, d] or pooled [batch, d])
    tokenizer.json   its Hugging Face `tokenizers` tokenizer
    embedding.json   how to feed it, e.g. for all-MiniLM-L6-v2:
        {"max_length": 256, "pooling": "mean", "normalize": true,
         "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask", "token_type_ids": "token_type_ids"},
         "output": "last_hidden_state"}
"inputs" maps each role to the model's input name (only input_ids is required); "output" is
the output's name or index.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studio.core.errors import BadInput

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
SIDECAR_FILE = "embedding.json"
FILES = (MODEL_FILE, TOKENIZER_FILE, SIDECAR_FILE)
BATCH = 32  # texts per model run: bounds memory at max_length tokens each
POOLINGS = ("mean", "cls")
ROLES = ("input_ids", "attention_mask", "token_type_ids")
_NUMPY_TYPES = {"tensor(int64)": np.int64, "tensor(int32)": np.int32}


@dataclass
class Embedder:
    """embed(texts) -> float32 array (len(texts), d); model_id changes whenever any of the
    model's files does, so an index built with another model is rebuilt."""

    name: str
    session: object  # onnxruntime.InferenceSession
    tokenizer: object  # tokenizers.Tokenizer, truncating to max_length and padding
    inputs: dict[str, tuple[str, type]]  # role -> (model input name, numpy dtype)
    output: int  # index among the model's outputs
    pooling: str
    normalize: bool
    model_id: str
    dimensions: int = 0  # set by load_embedder, which embeds one sentence to prove the model runs

    def __call__(self, texts: list[str]) -> np.ndarray:
        parts = [self._embed(list(texts[start:start + BATCH])) for start in range(0, len(texts), BATCH)]
        return np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)

    def _embed(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        columns = {"input_ids": [e.ids for e in encodings], "attention_mask": [e.attention_mask for e in encodings],
                   "token_type_ids": [e.type_ids for e in encodings]}
        feed = {name: np.array(columns[role], dtype) for role, (name, dtype) in self.inputs.items()}
        output_name = self.session.get_outputs()[self.output].name
        raw = np.asarray(self.session.run([output_name], feed)[0], np.float32)
        if raw.ndim == 3:
            raw = self._pool(raw, np.array(columns["attention_mask"], np.float32))
        if raw.ndim != 2 or len(raw) != len(texts):
            raise BadInput(f"{self.name} returned an output of shape {raw.shape} for {len(texts)} texts; an embedding "
                           "model must return token embeddings [batch, tokens, d] or one vector per text [batch, d]. "
                           f"Check \"output\" in {SIDECAR_FILE}.")
        if self.normalize:
            norms = np.linalg.norm(raw, axis=1, keepdims=True)
            raw = np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)
        return raw

    def _pool(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self.pooling == "cls":
            return tokens[:, 0]
        weights = mask[:, : tokens.shape[1], None]  # padding tokens do not count
        return (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


def load_embedder(folder) -> Embedder:
    """Open the model in folder and check its sidecar against the model's inputs and outputs."""
    import onnxruntime as ort
    from tokenizers import Tokenizer

    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise BadInput(f"Embedding model folder not found: {folder}. Pick a folder holding {', '.join(FILES)}.")
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        raise BadInput(f"{folder} has no {' or '.join(missing)}; an embedding model folder holds {', '.join(FILES)}. "
                       "Add the missing file or pick another folder.")
    try:
        spec = json.loads((folder / SIDECAR_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(f"{SIDECAR_FILE} is not valid JSON ({exc}). Fix the sidecar and try again.") from exc
    if not isinstance(spec, dict):
        raise BadInput(f"{SIDECAR_FILE} must be a JSON object with max_length, pooling, normalize, inputs and output.")
    try:
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
    except Exception as exc:  # tokenizers raises a bare Exception for a file it cannot parse
        raise BadInput(f"{TOKENIZER_FILE} in {folder} is not a tokenizer the Hugging Face tokenizers library can load "
                       f"({exc}). Use the tokenizer.json that came with the model.") from exc
    try:
        session = ort.InferenceSession(str(folder / MODEL_FILE), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        raise BadInput(f"{MODEL_FILE} in {folder} is not an ONNX model onnxruntime can open ({exc}). Check the file.") from exc
    max_length, pooling, normalize = _settings(spec)
    inputs = _inputs(session, spec.get("inputs"))
    output = _output(session, spec.get("output", 0))
    seq_len = {i.name: i.shape for i in session.get_inputs()}[inputs["input_ids"][0]][-1]
    if isinstance(seq_len, int) and seq_len != max_length:
        raise BadInput(f"{SIDECAR_FILE}: max_length is {max_length} but the model takes exactly {seq_len} tokens. "
                       f"Set max_length to {seq_len}.")
    tokenizer.enable_truncation(max_length)
    # pad each batch to its longest text (to the model's fixed length when it has one); the
    # tokenizer's own padding token is kept when it names one
    pad = tokenizer.padding or {}
    tokenizer.enable_padding(pad_id=pad.get("pad_id", 0), pad_token=pad.get("pad_token", "[PAD]"),
                             length=seq_len if isinstance(seq_len, int) else None)
    embedder = Embedder(folder.name, session, tokenizer, inputs, output, pooling, normalize, _model_id(folder))
    embedder.dimensions = _probe(embedder)
    return embedder


def _probe(embedder: Embedder) -> int:
    """The model's vector size, from one sentence: a model that loads may still fail to run."""
    try:
        vector = embedder(["A sentence to check the model."])
    except BadInput:
        raise
    except Exception as exc:  # onnxruntime's own errors: wrong types or shapes inside the model
        raise BadInput(f"{embedder.name} loads but fails to run ({exc}). Check the model and {SIDECAR_FILE}.") from exc
    if vector.shape[1] == 0 or not np.isfinite(vector).all():
        raise BadInput(f"{embedder.name} returned an empty or non-finite vector for a test sentence. Check the model.")
    return int(vector.shape[1])


def _settings(spec: dict) -> tuple[int, str, bool]:
    max_length = spec.get("max_length", 256)
    if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 1:
        raise BadInput(f"{SIDECAR_FILE}: max_length is {max_length!r}; give the model's longest input in tokens, e.g. 256.")
    pooling = spec.get("pooling", "mean")
    if pooling not in POOLINGS:
        raise BadInput(f"{SIDECAR_FILE}: pooling is {pooling!r}; use one of {', '.join(map(repr, POOLINGS))}.")
    normalize = spec.get("normalize", True)
    if not isinstance(normalize, bool):
        raise BadInput(f"{SIDECAR_FILE}: normalize is {normalize!r}; use true or false.")
    return max_length, pooling, normalize


def _inputs(session, named) -> dict[str, tuple[str, type]]:
    """Role -> (input name, dtype), checked both ways: every name the sidecar gives is one of
    the model's inputs, and every input of the model is fed."""
    declared = {i.name: i for i in session.get_inputs()}
    have = ", ".join(declared)
    if not isinstance(named, dict) or not isinstance(named.get("input_ids"), str):
        raise BadInput(f"{SIDECAR_FILE}: inputs must name at least the model's input_ids input, e.g. "
                       f"{{\"input_ids\": \"input_ids\"}}; the model's inputs are {have}.")
    unknown_roles = sorted(set(named) - set(ROLES))
    if unknown_roles:
        raise BadInput(f"{SIDECAR_FILE}: inputs has {', '.join(unknown_roles)}; the roles are {', '.join(ROLES)}.")
    result = {}
    for role, name in named.items():
        if name not in declared:
            raise BadInput(f"{SIDECAR_FILE}: inputs.{role} is {name!r} but the model has no such input; its inputs "
                           f"are {have}. Fix the sidecar.")
        dtype = _NUMPY_TYPES.get(declared[name].type)
        if dtype is None:
            raise BadInput(f"The model's input {name!r} is {declared[name].type}; token inputs must be int64 or int32.")
        result[role] = (name, dtype)
    unfed = [name for name in declared if name not in {n for n, _ in result.values()}]
    if unfed:
        raise BadInput(f"The model also needs {', '.join(unfed)}, which {SIDECAR_FILE} does not feed; map each to "
                       f"one of {', '.join(ROLES)} under inputs.")
    return result


def _output(session, wanted) -> int:
    outputs = session.get_outputs()
    names = [o.name for o in outputs]
    if isinstance(wanted, str) and wanted in names:
        index = names.index(wanted)
    elif isinstance(wanted, int) and not isinstance(wanted, bool) and 0 <= wanted < len(outputs):
        index = wanted
    else:
        raise BadInput(f"{SIDECAR_FILE}: output is {wanted!r}; give one of the model's outputs ({', '.join(names)}) "
                       f"or its index (0 to {len(outputs) - 1}).")
    shape = outputs[index].shape
    if shape is not None and len(shape) not in (2, 3):
        raise BadInput(f"The model's output {names[index]!r} has rank {len(shape)} ({shape}); an embedding model's output "
                       "is token embeddings [batch, tokens, d] or one vector per text [batch, d]. Pick another "
                       f"output in {SIDECAR_FILE} or another model.")
    return index


def _model_id(folder: Path) -> str:
    """sha256 over the three files' own digests."""
    digest = hashlib.sha256()
    for name in FILES:
        with open(folder / name, "rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    return f"onnx:{digest.hexdigest()}"
