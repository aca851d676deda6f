"""Local embedding models for the knowledge base, on real parts: a tiny ONNX model built here
with the onnx package and run by onnxruntime, a real tokenizers WordLevel tokenizer, a real
library for the search and the `studio research model` commands."""

from __future__ import annotations

import json
import logging

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

from studio import cli
from studio.core.errors import BadInput
from studio.core.jobs import JobState
from studio.core.ops import organize
from studio.core.ops.settings import get_setting
from studio.core.research import library as research
from studio.core.research.embeddings import load_embedder
from studio.core.research.knowledge import KnowledgeIndex, chunk_document
from studio.core.research.library import EMBEDDING_SETTING, ImportDocsParams

# Toy word vectors on three axes (coffee, freshness, anything else): "roasted", "recently",
# "this" and "week" all mean fresh, "beans" and "coffee" both mean coffee.
AXES = {"coffee": 0, "fresh": 1, "other": 2}
MEANING = {"coffee": "coffee", "beans": "coffee", "roasted": "fresh", "recently": "fresh", "this": "fresh",
           "week": "fresh", "our": "other", "is": "other", "we": "other", "changed": "other", "the": "other",
           "buy": "other", "long": "other"}
VOCAB = {"[PAD]": 0, "[UNK]": 1, **{word: i + 2 for i, word in enumerate(MEANING)}}
FRESH = "Our coffee is roasted this week."
CHANGED = "We recently changed the beans we buy."
QUERY = "beans roasted recently"


def word_table(shift: float = 0.0) -> np.ndarray:
    table = np.zeros((len(VOCAB), len(AXES)), np.float32)  # [PAD] and [UNK] stay zero
    for word, meaning in MEANING.items():
        table[VOCAB[word], AXES[meaning]] = 1.0
        table[VOCAB[word], AXES["other"]] += shift
    return table


def write_model(folder, *, table=None, sidecar=None, extra_output_rank4=False, tokens="tokens"):
    """A sentence-embedding model folder: token vectors = table[input_ids] * attention_mask;
    tokens is the token axis: a name (any length) or a fixed length."""
    folder.mkdir(parents=True, exist_ok=True)
    table = word_table() if table is None else table
    nodes = [helper.make_node("Gather", ["table", "input_ids"], ["vectors"]),
             helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
             helper.make_node("Unsqueeze", ["mask_f", "last_axis"], ["mask_3d"]),
             helper.make_node("Mul", ["vectors", "mask_3d"], ["last_hidden_state"])]
    outputs = [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", table.shape[1]])]
    if extra_output_rank4:
        nodes.append(helper.make_node("Unsqueeze", ["last_hidden_state", "last_axis"], ["rank4"]))
        outputs.append(helper.make_tensor_value_info("rank4", TensorProto.FLOAT, ["batch", "tokens", table.shape[1], 1]))
    graph = helper.make_graph(
        nodes, "toy-embedder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", tokens]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", tokens])],
        outputs,
        initializer=[numpy_helper.from_array(table, "table"), numpy_helper.from_array(np.array([-1], np.int64), "last_axis")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, folder / "model.onnx")
    tokenizer = Tokenizer(models.WordLevel(VOCAB, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    spec = {"max_length": 16, "pooling": "mean", "normalize": True,
            "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask"}, "output": "last_hidden_state"}
    (folder / "embedding.json").write_text(json.dumps({**spec, **(sidecar or {})}), encoding="utf-8")
    return folder


@pytest.fixture
def model_dir(tmp_path):
    return write_model(tmp_path / "toy-model")


@pytest.fixture
def brand(lib) -> int:
    """A brand with two documents: the one that answers QUERY in other words, and one that
    shares more of QUERY's words but does not answer it."""
    brand_id = organize.create_brand(lib, organize.create_client(lib, "Acme").value, "Acme").value
    paths = []
    for name, text in (("fresh.txt", FRESH), ("changed.txt", CHANGED)):
        (lib.root.parent / name).write_text(text, encoding="utf-8")
        paths.append(str(lib.root.parent / name))
    research.import_documents(ImportDocsParams(str(lib.root), brand_id, paths), JobState(), lib)
    return brand_id


# ---- the embedder ---------------------------------------------------------------------------

def test_embedder_pools_over_real_tokens_normalises_and_is_deterministic(model_dir):
    embed = load_embedder(model_dir)
    assert embed.dimensions == 3 and embed.model_id.startswith("onnx:")
    texts = [FRESH, "coffee", *[f"long {'week ' * (i % 5)}" for i in range(40)]]  # two batches, mixed lengths
    together = embed(texts)
    assert together.shape == (42, 3) and together.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1, rtol=1e-6)
    # padding in a batch with longer texts changes nothing: the mean skips padded tokens
    np.testing.assert_allclose(together, np.concatenate([embed([t]) for t in texts]), atol=1e-6)
    np.testing.assert_array_equal(together, load_embedder(model_dir)(texts))
    # "Our coffee is roasted this week." = other, coffee, other, fresh, fresh, fresh and an unknown "."
    np.testing.assert_allclose(embed([FRESH])[0], np.array([1, 3, 2]) / np.sqrt(14), rtol=1e-6)
    np.testing.assert_allclose(embed(["coffee"])[0], [1, 0, 0])


def test_cls_pooling_takes_the_first_token_and_truncation_keeps_max_length(tmp_path):
    embed = load_embedder(write_model(tmp_path / "m", sidecar={"pooling": "cls", "max_length": 2}))
    np.testing.assert_allclose(embed(["roasted coffee beans"])[0], [0, 1, 0])
    mean = load_embedder(write_model(tmp_path / "n", sidecar={"max_length": 2}))
    np.testing.assert_allclose(mean(["roasted coffee beans beans beans"])[0], np.array([1, 1, 0]) / np.sqrt(2), rtol=1e-6)


def test_a_model_with_a_fixed_token_axis_gets_every_text_padded_to_it(tmp_path):
    embed = load_embedder(write_model(tmp_path / "m", tokens=16))
    np.testing.assert_allclose(embed(["coffee", FRESH]), load_embedder(write_model(tmp_path / "n"))(["coffee", FRESH]), atol=1e-6)
    with pytest.raises(BadInput, match="max_length is 8 but the model takes exactly 16 tokens. Set max_length to 16."):
        load_embedder(write_model(tmp_path / "o", tokens=16, sidecar={"max_length": 8}))


def test_the_model_id_follows_the_files(tmp_path, model_dir):
    same = write_model(tmp_path / "copy")
    other = write_model(tmp_path / "other", table=word_table(shift=0.5))
    resized = write_model(tmp_path / "resized", sidecar={"max_length": 8})
    ids = [load_embedder(folder).model_id for folder in (model_dir, same, other, resized)]
    assert ids[0] == ids[1] and len(set(ids)) == 3


def test_embeddings_find_a_paraphrase_that_words_alone_miss(model_dir):
    chunks = [c for i, text in enumerate((CHANGED, FRESH)) for c in chunk_document(i, f"doc{i}", f"Doc {i}", text)]
    assert KnowledgeIndex.build(chunks).search(QUERY)[0].text == CHANGED
    assert KnowledgeIndex.build(chunks, load_embedder(model_dir)).search(QUERY)[0].text == FRESH


# ---- bad models -----------------------------------------------------------------------------

@pytest.mark.parametrize("missing", ["model.onnx", "tokenizer.json", "embedding.json"])
def test_a_folder_missing_a_file(model_dir, missing):
    (model_dir / missing).unlink()
    with pytest.raises(BadInput, match=f"has no {missing}; an embedding model folder holds model.onnx, tokenizer.json, embedding.json"):
        load_embedder(model_dir)


def test_a_folder_that_does_not_exist(tmp_path):
    with pytest.raises(BadInput, match="Embedding model folder not found: .*nowhere. Pick a folder holding model.onnx"):
        load_embedder(tmp_path / "nowhere")


def test_a_sidecar_naming_inputs_the_model_lacks(tmp_path):
    folder = write_model(tmp_path / "m", sidecar={"inputs": {"input_ids": "ids", "attention_mask": "attention_mask"}})
    with pytest.raises(BadInput, match="inputs.input_ids is 'ids' but the model has no such input; its inputs are input_ids, attention_mask"):
        load_embedder(folder)
    folder = write_model(tmp_path / "n", sidecar={"inputs": {"input_ids": "input_ids"}})
    with pytest.raises(BadInput, match="The model also needs attention_mask, which embedding.json does not feed"):
        load_embedder(folder)
    folder = write_model(tmp_path / "o", sidecar={"inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask",
                                                             "token_type_ids": "token_type_ids"}})
    with pytest.raises(BadInput, match="inputs.token_type_ids is 'token_type_ids' but the model has no such input"):
        load_embedder(folder)


def test_an_output_of_the_wrong_rank_or_that_does_not_exist(tmp_path):
    folder = write_model(tmp_path / "m", sidecar={"output": "rank4"}, extra_output_rank4=True)
    with pytest.raises(BadInput, match=r"output 'rank4' has rank 4 .*token embeddings \[batch, tokens, d\] or one vector per text"):
        load_embedder(folder)
    folder = write_model(tmp_path / "n", sidecar={"output": 3})
    with pytest.raises(BadInput, match=r"output is 3; give one of the model's outputs \(last_hidden_state\) or its index \(0 to 0\)"):
        load_embedder(folder)


def test_a_tokenizer_that_does_not_load(model_dir):
    (model_dir / "tokenizer.json").write_text('{"model": {"type": "NoSuchModel"}}', encoding="utf-8")
    with pytest.raises(BadInput, match="tokenizer.json in .* is not a tokenizer the Hugging Face tokenizers library can load"):
        load_embedder(model_dir)


@pytest.mark.parametrize("sidecar, message", [
    ({"pooling": "max"}, "pooling is 'max'; use one of 'mean', 'cls'"),
    ({"max_length": 0}, "max_length is 0; give the model's longest input in tokens"),
    ({"normalize": "yes"}, "normalize is 'yes'; use true or false"),
    ({"inputs": {"attention_mask": "attention_mask"}}, "inputs must name at least the model's input_ids input"),
])
def test_bad_sidecar_settings(tmp_path, sidecar, message):
    with pytest.raises(BadInput, match=message):
        load_embedder(write_model(tmp_path / "m", sidecar=sidecar))


def test_a_model_that_is_not_onnx_or_a_sidecar_that_is_not_json(tmp_path):
    folder = write_model(tmp_path / "m")
    (folder / "embedding.json").write_text("{max_length: 16", encoding="utf-8")
    with pytest.raises(BadInput, match="embedding.json is not valid JSON"):
        load_embedder(folder)
    folder = write_model(tmp_path / "n")
    (folder / "model.onnx").write_bytes(b"not a model")
    with pytest.raises(BadInput, match="model.onnx in .* is not an ONNX model onnxruntime can open"):
        load_embedder(folder)


# ---- the library ----------------------------------------------------------------------------

def test_search_uses_the_configured_model_and_a_changed_model_rebuilds_the_index(lib, brand, model_dir, tmp_path):
    assert research.search(lib, QUERY, brand_id=brand)[0].text == CHANGED
    assert not research.brand_index(lib, brand).uses_embeddings
    model = research.set_embedding_model(lib, model_dir)
    assert get_setting(lib, EMBEDDING_SETTING) == str(model_dir.resolve()) and model.embedder.dimensions == 3
    hits = research.search(lib, QUERY, brand_id=brand)
    assert hits[0].text == FRESH and hits.note is None
    first = research.brand_index(lib, brand)
    saved = research.research_dir(lib, brand)
    assert first.uses_embeddings and KnowledgeIndex.load(saved, embed=model.embedder) is not None

    write_model(model_dir, table=word_table(shift=0.5))  # the same folder, another model
    second = research.brand_index(lib, brand)
    assert second is not first and second.uses_embeddings
    assert KnowledgeIndex.load(saved, embed=model.embedder) is None  # the saved index was rebuilt for the new model
    assert KnowledgeIndex.load(saved, embed=load_embedder(model_dir)) is not None

    lib.undo.undo()  # setting the model is one undoable step
    assert get_setting(lib, EMBEDDING_SETTING) is None
    assert not research.brand_index(lib, brand).uses_embeddings
    assert research.search(lib, QUERY, brand_id=brand)[0].text == CHANGED


def test_a_configured_model_that_breaks_falls_back_to_words_and_says_why_once(lib, brand, model_dir, caplog):
    research.set_embedding_model(lib, model_dir)
    assert research.brand_index(lib, brand).uses_embeddings
    (model_dir / "tokenizer.json").unlink()
    with caplog.at_level(logging.WARNING, logger="studio.core.research.library"):
        hits = research.search(lib, QUERY, brand_id=brand)
        again = research.search(lib, "coffee", brand_id=brand)
    assert hits[0].text == CHANGED and not research.brand_index(lib, brand).uses_embeddings
    assert hits.note.startswith("The embedding model is not used, so this search matched words only.")
    assert "has no tokenizer.json" in hits.note and again.note == hits.note
    warnings = [r for r in caplog.records if "embedding model" in r.getMessage()]
    assert len(warnings) == 1 and "has no tokenizer.json" in warnings[0].getMessage()


def test_setting_a_bad_model_changes_nothing(lib, tmp_path):
    folder = write_model(tmp_path / "m", sidecar={"inputs": {"input_ids": "ids"}})
    with pytest.raises(BadInput, match="no such input"):
        research.set_embedding_model(lib, folder)
    assert get_setting(lib, EMBEDDING_SETTING) is None and not lib.undo.can_undo()


# ---- `studio research model` ------------------------------------------------------------------

def model_cli(capsys, lib, *argv) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(["research", "model", *map(str, argv), "--library", str(lib.root)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_model_set_show_and_clear(capsys, lib, brand, model_dir, tmp_path):
    code, out, _ = model_cli(capsys, lib, "show")
    assert (code, out.strip()) == (0, "No embedding model: search matches words only. Set one with `studio research model set FOLDER`.")
    code, out, err = model_cli(capsys, lib, "set", model_dir)
    assert code == 0, err
    assert out.strip() == f"Embedding model: {model_dir.resolve()} (3 dimensions); search blends it with word matches."
    code, out, _ = model_cli(capsys, lib, "show", "--json")
    shown = json.loads(out)
    assert (code, shown["folder"], shown["in_use"], shown["dimensions"], shown["problem"]) == (0, str(model_dir.resolve()), True, 3, None)
    assert shown["model_id"] == load_embedder(model_dir).model_id

    capsys.readouterr()
    code = cli.main(["research", "search", QUERY, "--brand", "Acme", "--json", "--library", str(lib.root)])
    assert code == 0 and json.loads(capsys.readouterr().out)[0]["text"] == FRESH

    (model_dir / "model.onnx").write_bytes(b"broken")
    code, out, _ = model_cli(capsys, lib, "show")
    assert code == 0 and out.startswith(f"Embedding model {model_dir.resolve()} is not used; search matches words only. model.onnx in")
    capsys.readouterr()
    code = cli.main(["research", "search", QUERY, "--brand", "Acme", "--library", str(lib.root)])
    out = capsys.readouterr()
    assert code == 0 and "We recently changed" in out.out.splitlines()[1]
    assert out.err.startswith("warning: The embedding model is not used, so this search matched words only.")

    code, out, _ = model_cli(capsys, lib, "clear", "--json")
    assert code == 0 and json.loads(out) == {"folder": None, "in_use": False, "problem": None, "model_id": None, "dimensions": None}
    assert get_setting(lib, EMBEDDING_SETTING) is None


def test_model_set_refuses_a_bad_folder(capsys, lib, tmp_path):
    code, out, err = model_cli(capsys, lib, "set", tmp_path / "missing")
    assert (code, out) == (BadInput.exit_code, "")
    assert err.startswith("error: Embedding model folder not found:") and get_setting(lib, EMBEDDING_SETTING) is None
