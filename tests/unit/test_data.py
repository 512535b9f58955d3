"""Reading data exactly: layouts, decimals, floats, labels, duplicates, bad input."""

import gzip
from fractions import Fraction

import numpy as np
import pytest

from nncert.data import Dataset, from_arrays, load, load_bundled, load_csv
from nncert.errors import ConflictingLabels, DataTooLarge, InvalidCertificate, InvalidData


def write(tmp_path, text, name="d.csv"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_decimal_strings_are_exact(tmp_path):
    ds = load_csv(write(tmp_path, "0.1,0.2,a\n0.3,1e-2,b\n"))
    assert ds.points == ((Fraction(1, 10), Fraction(1, 5)), (Fraction(3, 10), Fraction(1, 100)))
    assert ds.source == "decimal-text" and ds.classes == ("a", "b")


def test_numpy_floats_convert_exactly_and_are_recorded():
    ds = from_arrays(np.array([[0.1], [0.25]]), [1, 0])
    assert ds.points[0][0] == Fraction(0.1) != Fraction(1, 10)
    assert ds.source == "float-exact"
    assert from_arrays([[1], ["1/3"]], [0, 1]).source == "exact"


def test_header_and_label_column_by_name_and_index(tmp_path):
    path = write(tmp_path, "y,x1,x2\ncat,1,2\ndog,3,4\n")
    ds = load_csv(path, "y")
    assert ds.points == ((1, 2), (3, 4)) and ds.classes == ("cat", "dog")
    ds0 = load_csv(path, 0)
    assert ds0.points == ds.points
    with pytest.raises(InvalidData, match="no column named 'z'"):
        load_csv(path, "z")
    with pytest.raises(InvalidData, match="out of range"):
        load_csv(path, 7)


def test_integer_labels_sorted_numerically(tmp_path):
    ds = load_csv(write(tmp_path, "0,10\n1,2\n2,9\n"))
    assert ds.classes == ("2", "9", "10") and ds.label_kind == "int" and ds.labels == (2, 0, 1)


def test_gzip_and_sklearn_layout(tmp_path):
    p = tmp_path / "x.csv.gz"
    p.write_bytes(gzip.compress(b"2,1,neg,pos\n0.5,1\n-1,0\n"))
    ds = load_csv(str(p))
    assert ds.classes == ("neg", "pos") and ds.labels == (1, 0) and ds.points == ((Fraction(1, 2),), (-1,))


def test_sklearn_like_first_row_with_wrong_count_is_data(tmp_path):
    # "1,2,a" could be a header (1 row, 2 features, class "a") but the file has 3 rows: it is data
    ds = load_csv(write(tmp_path, "1,2,a\n3,4,b\n5,6,a\n"))
    assert ds.points == ((1, 2), (3, 4), (5, 6))


def test_duplicates_merged_and_conflicts_named(tmp_path):
    ds = load_csv(write(tmp_path, "1,2,a\n1,2,a\n3,4,b\n"))
    assert ds.n == 2 and ds.merged == ((1, 0),)
    with pytest.raises(ConflictingLabels, match="line 1 and line 3 are the same point") as err:
        load_csv(write(tmp_path, "1,2,a\n0,0,b\n1.0,2,b\n"))
    assert err.value.rows == (0, 2)


def test_bundled_data():
    iris = load_bundled("iris")
    assert (iris.n, iris.d, iris.m, len(iris.merged)) == (149, 4, 3, 1)
    digits = load_bundled("digits")
    assert (digits.n, digits.d, digits.m) == (1797, 64, 10)
    assert load("iris").sha256() == iris.sha256()
    with pytest.raises(InvalidData, match="unknown bundled"):
        load_bundled("mnist")


@pytest.mark.parametrize(
    "text,match",
    [
        ("1,2,a\n1,nan,b\n", "line 2, column 2: 'nan' is not finite"),
        ("1,2,a\ninf,2,b\n", "line 2, column 1: 'inf' is not finite"),
        ("1,2,a\n1,abc,b\n", "is not a number"),
        ("1,2,a\n1,b\n", "line 2: 2 fields, expected 3"),
        ("", "empty data set"),
        ("x,y\n", "empty data set: no rows after the header"),
        ("1,2,\n", "empty label"),
        ("5\n6\n", "at least one feature column"),
    ],
)
def test_bad_csv(tmp_path, text, match):
    with pytest.raises(InvalidData, match=match):
        load_csv(write(tmp_path, text))


def test_unreadable_files(tmp_path):
    with pytest.raises(InvalidData, match="no such file"):
        load_csv(str(tmp_path / "missing.csv"))
    with pytest.raises(InvalidData, match="is a directory"):
        load_csv(str(tmp_path))
    bad = tmp_path / "b.csv.gz"
    bad.write_bytes(b"\x1f\x8b" + b"garbage")
    with pytest.raises(InvalidData, match="corrupt gzip"):
        load_csv(str(bad))
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(InvalidData, match="not UTF-8"):
        load_csv(str(binary))


@pytest.mark.parametrize(
    "X,y,match",
    [
        ([[1, 2], [3]], [0, 1], "ragged rows"),
        ([[float("inf")]], [0], "NaN or infinite"),
        ([], [], "empty data set"),
        ([[1]], [0, 1], "1 rows but y has 2"),
        ([[1]], [0.5], "not a valid label"),
        ([[True]], [0], "bool"),
        (np.zeros((2, 2, 2)), [0, 1], "2-dimensional"),
        ([[1], [2]], [0, "a"], "mix types"),
    ],
)
def test_bad_arrays(X, y, match):
    with pytest.raises(InvalidData, match=match):
        from_arrays(X, y)


def test_too_many_points_needs_force(monkeypatch):
    import nncert.data as data

    monkeypatch.setattr(data, "MAX_POINTS", 3)
    with pytest.raises(DataTooLarge, match="more than 3"):
        from_arrays([[i] for i in range(4)], [0] * 4)
    assert from_arrays([[i] for i in range(4)], [0] * 4, force=True).n == 4


def test_canonical_json_roundtrip_and_tamper_detection():
    ds = from_arrays([[Fraction(1, 3), 2], [0, 0]], ["x", "y"])
    back = Dataset.from_canonical_json(ds.canonical_json())
    assert back.points == ds.points and back.labels == ds.labels and back.sha256() == ds.sha256()
    obj = ds.canonical_json()
    obj["points"][1] = list(obj["points"][0])
    with pytest.raises(InvalidCertificate, match="not distinct"):
        Dataset.from_canonical_json(obj)
    obj = ds.canonical_json()
    obj["labels"][0] = "-1"
    with pytest.raises(InvalidCertificate, match="not a class index"):
        Dataset.from_canonical_json(obj)


def test_relabel_binary_subsets():
    iris = load_bundled("iris")
    b = iris.relabel([["versicolor"], ["virginica"]])
    assert b.n == 99 and b.m == 2 and set(b.labels) == {0, 1}
