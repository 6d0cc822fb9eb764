"""RecordBuffer.frame: the frame every Python-framed loader hands to the SQL."""

from __future__ import annotations

from ingestion.core.records import RecordBuffer


def test_a_frame_keeps_every_value_as_text_or_null() -> None:
    buffer = RecordBuffer(["Id", "Amount"])
    buffer.add(1, '{"Id": "007"}', {"Id": "007"})
    buffer.add(2, None, {"Id": "x", "Amount": "1e3"}, reason="bad", raw_text="x;1e3")
    buffer.add(3, "[1, 2]", {"Id": "[1, 2]", "Amount": ""})
    frame = buffer.frame()
    assert list(frame.columns) == ["_pos", "_raw", "_record", "_reason", "Id", "Amount"]
    assert str(frame["_pos"].dtype) == "Int64"
    assert all(str(frame[c].dtype) == "object" for c in frame.columns[1:])
    assert frame.to_dict("list") == {
        "_pos": [1, 2, 3],
        "_raw": [None, "x;1e3", None],
        "_record": ['{"Id": "007"}', None, "[1, 2]"],
        "_reason": [None, "bad", None],
        "Id": ["007", "x", "[1, 2]"],
        "Amount": [None, "1e3", ""],
    }


def test_an_empty_buffer_gives_an_empty_frame_with_every_column() -> None:
    frame = RecordBuffer(["Id"]).frame()
    assert frame.empty
    assert list(frame.columns) == ["_pos", "_raw", "_record", "_reason", "Id"]
