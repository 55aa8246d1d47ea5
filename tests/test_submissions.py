"""What a class handed in becomes students and notebooks (autograder/submissions.py): LMS zips (Canvas, Moodle,
--lms-pattern) and folders, with every file accounted for, and the protections of untrusted.py kept.

The fixtures are small notebooks made with nbformat, each saying whose and which it is, so that a test can tell
which file was unpacked; nothing is graded here.
"""

import csv
import os
import socket
import stat
import unicodedata
import warnings
import zipfile
import zlib
from collections import Counter

import nbformat
import pytest

from autograder import submissions, untrusted
from autograder.course import REPO, CourseError, chapters
from autograder.submissions import Skipped, collect, student_key, write_skipped

CH, CH2 = chapters()[:2]
SOURCE = REPO / "solutions" / CH / f"{CH}.ipynb"
LINK = (str(SOURCE).encode(), stat.S_IFLNK | 0o777)  # a member that is a link to the instructor's source
LONG_NAME = "x" * 310
ACCENTED = unicodedata.normalize("NFD", "josé")  # as macOS writes it
NOT_A_NOTEBOOK = "a .py file, not a notebook"


def notebook(label):
    """A small valid notebook whose only cell says which file it is."""
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(label)])).encode()


def make_zip(path, members):
    """A zip of ``[(name, bytes or (bytes, unix mode)[, date_time])]`` (names may repeat), in that order. A name
    given as ``("cp437", name)`` is written as UTF-8 bytes without the UTF-8 flag, as many zip tools do."""
    unflagged = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a name written twice, which a test wants
        for position, (name, data, *date_time) in enumerate(members):
            if isinstance(name, tuple):  # an ASCII stand-in of the same length, patched below
                raw = name[1].encode()
                name = f"@{position}".ljust(len(raw), "@")
                unflagged[name] = raw
            data, mode = data if isinstance(data, tuple) else (data, stat.S_IFREG | 0o644)
            info = zipfile.ZipInfo(name, date_time=date_time[0] if date_time else (2024, 1, 1, 0, 0, 0))
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    content = path.read_bytes()
    for stand_in, raw in unflagged.items():
        assert content.count(stand_in.encode()) == 2  # the local header and the central directory
        content = content.replace(stand_in.encode(), raw)
    path.write_bytes(content)
    return path


def rows_of(collection):
    return {(row.student, row.chapter): row for row in collection.submissions}


def skipped_of(collection):
    return {s.file: s for s in collection.skipped}


def assert_all_accounted_for(collection, files):
    """Is every file of the upload (``files``: their names, which may repeat) either graded or skipped, once?"""
    graded = [row.file for row in collection.submissions if row.path is not None]
    skipped = [s.file for s in collection.skipped]
    assert Counter(graded + skipped) == Counter(files), (graded, skipped)


# --------------------------------------------------------------------------------------------- Canvas
CANVAS = [
    (f"smithjohn_101_5001_{CH}.ipynb", notebook("smith 101")),
    (f"smithjohn_101_5012_{CH}_helpers.py", b"print('helpers')"),
    (f"smithjohn_102_5002_{CH}.ipynb", notebook("smith 102")),
    (f"王小明_103_5003_{CH}.ipynb", notebook("wang")),
    ("王小明_103_5015_notes.ipynb", notebook("wang's notes")),
    ("王小明_103_5016_notes.pdf", b"%PDF"),
    (("cp437", f"{ACCENTED}_104_5004_{CH}.ipynb"), notebook("jose")),
    (f"lovelaceada_LATE_105_5005_{CH}.ipynb", notebook("ada late")),
    (f"lovelaceada_105_5013_{CH2}.ipynb", notebook("ada ch2")),
    (f"turingalan_106_5006_{CH}.ipynb", notebook("turing good older")),
    (f"turingalan_106_5010_{CH}-1.ipynb", LINK),
    (f"hopper_107_5011_{CH}-1.ipynb", notebook("hopper good newer")),
    (f"hopper_107_5007_{CH}.ipynb", LINK),
    (f"curie_108_5008_{CH}.py", b"print('my answers')"),
    (f"{LONG_NAME}_109_5009_{CH}.ipynb", notebook("long")),
    ("readme.txt", b"not a submission"),
    (f"../evil_110_5014_{CH}.ipynb", notebook("evil")),
    ("__MACOSX/._smithjohn_101_5001.ipynb", b"resource fork"),
    (".DS_Store", b"finder"),
]


@pytest.fixture
def canvas(tmp_path):
    archive = make_zip(tmp_path / "canvas.zip", CANVAS)
    return archive, tmp_path / "work"


def test_the_canvas_fixture_writes_a_utf8_name_without_the_utf8_flag(canvas):
    """Is the accented name really stored as UTF-8 bytes without the flag, so that zipfile reads it as cp437?"""
    with zipfile.ZipFile(canvas[0]) as zf:
        member = zf.infolist()[6]
    assert not member.flag_bits & 0x800
    assert member.filename == f"{ACCENTED}_104_5004_{CH}.ipynb".encode().decode("cp437") != f"josé_104_5004_{CH}"


def test_a_canvas_zip_gives_a_row_per_user_id_and_chapter(canvas):
    """Namesakes stay two (the key is Canvas's user id); a CJK name and an accented name written without the
    UTF-8 flag (and in NFD) keep their letters; LATE is kept; an over-long name makes no error."""
    archive, work = canvas
    rows = rows_of(collect(archive, work))
    assert sorted(rows) == [("101", CH), ("102", CH), ("103", "?"), ("103", CH), ("104", CH), ("105", CH),
                            ("105", CH2), ("106", CH), ("107", CH), ("108", CH), ("109", CH)]
    expected = {"101": ("smithjohn", "smith 101"), "102": ("smithjohn", "smith 102"), "103": ("王小明", "wang"),
                "104": ("josé", "jose"), "109": (LONG_NAME, "long")}
    for key, (name, label) in expected.items():
        row = rows[key, CH]
        assert (row.name, row.lms_id, row.status, row.late) == (name, key, None, False), row
        assert row.path == work / key / CH / f"{CH}.ipynb" and label.encode() in row.path.read_bytes(), row
    assert unicodedata.is_normalized("NFC", rows["104", CH].name)
    assert rows["104", CH].file == f"josé_104_5004_{CH}.ipynb"
    assert rows["105", CH].late and rows["105", CH].file == f"lovelaceada_LATE_105_5005_{CH}.ipynb"
    assert not rows["105", CH2].late and b"ada ch2" in rows["105", CH2].path.read_bytes()
    assert rows["101", CH].notes == [f"also handed in: smithjohn_101_5012_{CH}_helpers.py ({NOT_A_NOTEBOOK}; "
                                     "not graded)"]
    wang = rows["103", "?"]  # files whose names hold no chapter: the student's row says so
    assert (wang.name, wang.path) == ("王小明", None) and wang.status == (
        "unknown chapter: 王小明_103_5015_notes.ipynb (no chapter of the course in its name), 王小明_103_5016_notes.pdf "
        "(a .pdf file, not a notebook)")


def test_a_canvas_resubmission_is_chosen_by_attachment_id_and_a_broken_newest_is_not_replaced(canvas):
    """Is the newest (attachment id) graded, whatever its place in the zip; does a broken newest give the row
    its status, naming it, rather than an older good one standing in; and does the row name every file?"""
    archive, work = canvas
    rows = rows_of(collect(archive, work))
    turing, hopper = rows["106", CH], rows["107", CH]
    newest = f"turingalan_106_5010_{CH}-1.ipynb"
    assert turing.path is None and turing.file == newest
    assert turing.status == (f"not graded: {newest} in the zip is a symbolic link, not a file; hand in the notebook "
                             "itself")
    assert turing.notes == [f"{newest} counts of 2 notebooks handed in, the newest, and cannot be graded; an older "
                            f"one does not stand in for it: turingalan_106_5006_{CH}.ipynb"]
    assert not (work / "106" / CH / f"{CH}.ipynb").exists()
    assert hopper.status is None and b"hopper good newer" in hopper.path.read_bytes()
    assert hopper.notes == [f"graded hopper_107_5011_{CH}-1.ipynb of 2 notebooks handed in, the newest; not graded: "
                            f"hopper_107_5007_{CH}.ipynb"]


def test_a_canvas_zip_accounts_for_every_file(canvas):
    """Is every file of the zip (but __MACOSX and hidden files) graded or skipped with its reason, and a .py
    handed in instead of a notebook its row's status?"""
    archive, work = canvas
    collection = collect(archive, work)
    assert_all_accounted_for(collection, [unicodedata.normalize("NFC", name[1]) if isinstance(name, tuple) else name
                                          for name, _ in CANVAS[:-2]])  # but __MACOSX/ and a hidden file
    skipped = skipped_of(collection)
    assert skipped["readme.txt"].reason.startswith("its name matches none of Moodle's, Canvas's or the course's")
    assert skipped[f"../evil_110_5014_{CH}.ipynb"].reason == "a path outside the archive"
    assert skipped[f"curie_108_5008_{CH}.py"] == Skipped(f"curie_108_5008_{CH}.py", NOT_A_NOTEBOOK, "108", "curie", CH)
    assert rows_of(collection)["108", CH].status == f"no notebook: handed in curie_108_5008_{CH}.py ({NOT_A_NOTEBOOK})"
    assert skipped[f"turingalan_106_5010_{CH}-1.ipynb"].reason == rows_of(collection)["106", CH].status
    assert skipped[f"turingalan_106_5006_{CH}.ipynb"].reason.startswith(f"not chosen: turingalan_106_5010_{CH}-1")
    assert skipped[f"hopper_107_5007_{CH}.ipynb"].reason.startswith(f"not chosen: graded hopper_107_5011_{CH}-1")
    assert skipped[f"smithjohn_101_5012_{CH}_helpers.py"].reason == NOT_A_NOTEBOOK
    assert not (work.parent / f"evil_110_5014_{CH}.ipynb").exists()


def test_collecting_again_into_the_same_folder_gives_the_same_result(canvas, tmp_path):
    """Collected twice into one folder, is the result the same; and does a later upload in which a student's
    newest notebook is broken leave nothing of what an earlier run unpacked for them?"""
    archive, work = canvas
    first = collect(archive, work)
    assert collect(archive, work) == first
    later = make_zip(tmp_path / "later.zip", [(f"smithjohn_101_5001_{CH}.ipynb", notebook("smith 101")),
                                              (f"smithjohn_101_5020_{CH}-1.ipynb", LINK)])
    assert (work / "101" / CH / f"{CH}.ipynb").exists()
    row = rows_of(collect(later, work))["101", CH]
    assert row.path is None and not (work / "101" / CH / f"{CH}.ipynb").exists()


def test_only_the_chapters_asked_for_are_collected(canvas):
    """With one chapter asked for, are files of the others neither rows nor skipped, and a file whose name
    holds no chapter taken for that chapter (an LMS's download is one assignment's)?"""
    archive, work = canvas
    collection = collect(archive, work, only=(CH2,))
    rows = rows_of(collection)
    assert sorted(rows) == [("103", CH2), ("105", CH2)]
    assert rows["103", CH2].file == "王小明_103_5015_notes.ipynb" and rows["103", CH2].status is None
    assert f"lovelaceada_LATE_105_5005_{CH}.ipynb" not in skipped_of(collection)


def test_skipped_csv_holds_every_field_and_no_formula(canvas, tmp_path):
    """Does skipped.csv have a line per skipped file with its student, name, chapter and reason, and is a file
    named like a formula written so that no spreadsheet evaluates it?"""
    archive, work = canvas
    collection = collect(archive, work)
    collection.skipped.append(Skipped('=HYPERLINK("x")', "its name matches none"))
    write_skipped(tmp_path / "skipped.csv", collection.skipped)
    with open(tmp_path / "skipped.csv", newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["file", "student", "name", "chapter", "reason"]
    assert [f"curie_108_5008_{CH}.py", "108", "curie", CH, NOT_A_NOTEBOOK] in lines
    assert ["'=HYPERLINK(\"x\")", "", "", "", "its name matches none"] in lines
    assert len(lines) == len(collection.skipped) + 1


# --------------------------------------------------------------------------------------------- Moodle
def test_a_moodle_zip_keys_on_the_participant_id_and_orders_copies_by_their_suffix(tmp_path):
    """Moodle's folders: namesakes stay two, ``ch (1).ipynb`` is newer than ``ch.ipynb``, an online text is
    skipped with its reason in the student's row, and a chapter not asked for is left out."""
    members = [
        (f"Ada Lovelace_201_assignsubmission_file_/{CH} (1).ipynb", notebook("ada newer")),
        (f"Ada Lovelace_201_assignsubmission_file_/{CH}.ipynb", notebook("ada older")),
        (f"Ada Lovelace_202_assignsubmission_file_/{CH}.ipynb", notebook("the other ada")),
        (f"Ada Lovelace_202_assignsubmission_file_/{CH2}.ipynb", notebook("not asked for")),
        ("Grace Hopper_203_assignsubmission_onlinetext_/onlinetext.html", b"<p>my answer</p>"),
    ]
    archive = make_zip(tmp_path / "moodle.zip", members)
    collection = collect(archive, tmp_path / "work", only=(CH,))
    rows = rows_of(collection)
    assert sorted(rows) == [("201", CH), ("202", CH), ("203", CH)]
    assert rows["201", CH].name == rows["202", CH].name == "Ada Lovelace"
    assert b"ada newer" in rows["201", CH].path.read_bytes() and b"the other ada" in rows["202", CH].path.read_bytes()
    assert rows["201", CH].notes == [
        f"graded Ada Lovelace_201_assignsubmission_file_/{CH} (1).ipynb of 2 notebooks handed in, the newest by its "
        f"-N or (N) suffix; not graded: Ada Lovelace_201_assignsubmission_file_/{CH}.ipynb"]
    assert rows["203", CH].status == ("no notebook: handed in Grace Hopper_203_assignsubmission_onlinetext_/"
                                      "onlinetext.html (a .html file, not a notebook)")
    assert_all_accounted_for(collection, [name for name, _ in members if CH2 not in name])  # not asked for


# ------------------------------------------------------------------------------------------ --lms-pattern
PATTERN = r"(?P<id>\d+)-(?P<student>[^/]+?)-(?P<attempt>\d+)(?P<late>-late)?/(?P<notebook>[^/]+)$"


def test_a_custom_pattern_orders_attempts_as_numbers_and_keeps_ids_apart(tmp_path):
    """With --lms-pattern's groups id, attempt and late: is attempt 10 newer than attempt 2 (numbers, not
    text), late kept, two students of one name two rows, and a file that does not match skipped?"""
    members = [
        (f"3001-Zoë Ng-10-late/{CH}.ipynb", notebook("zoe 10")),
        (f"3001-Zoë Ng-2/{CH}.ipynb", notebook("zoe 2")),
        (f"3002-Zoë Ng-1/{CH}.ipynb", notebook("other zoe")),
        ("instructions.pdf", b"%PDF"),
    ]
    archive = make_zip(tmp_path / "custom.zip", members)
    collection = collect(archive, tmp_path / "work", pattern=PATTERN)
    rows = rows_of(collection)
    assert sorted(rows) == [("3001", CH), ("3002", CH)]
    zoe = rows["3001", CH]
    assert (zoe.name, zoe.late, zoe.file) == ("Zoë Ng", True, f"3001-Zoë Ng-10-late/{CH}.ipynb")
    assert b"zoe 10" in zoe.path.read_bytes() and zoe.notes[0].endswith(f"not graded: 3001-Zoë Ng-2/{CH}.ipynb")
    assert b"other zoe" in rows["3002", CH].path.read_bytes()
    assert skipped_of(collection)["instructions.pdf"].reason == "its name matches none of --lms-pattern"
    assert_all_accounted_for(collection, [member[0] for member in members])


@pytest.mark.parametrize("pattern, message", [
    (r"(?P<student>[^/]+)/", r"needs the groups .* it lacks notebook"),
    (r"(?P<student>[^/]+)/(?P<notebook>.+)(?P<colour>x)", "colour is not one of them"),
    (r"(?P<student>[^/]+", "is not a regular expression"),
    (r"(?P<student>[^/-]+)-(?P<attempt>[a-z]+)/(?P<notebook>.+)", "attempt .* must capture a whole number"),
])
def test_a_custom_pattern_that_cannot_serve_is_refused_with_what_to_fix(tmp_path, pattern, message):
    archive = make_zip(tmp_path / "custom.zip", [(f"ada-first/{CH}.ipynb", notebook("ada"))])
    with pytest.raises(CourseError, match=message):
        collect(archive, tmp_path / "work", pattern=pattern)


def test_an_over_long_or_unsafe_name_becomes_a_bounded_key_that_never_collides(tmp_path):
    """Without an id, the name is the key: are a 300-character CJK name, one that is only dots, and names
    that differ only past the cut given keys of at most 100 characters (and 255 bytes) that differ, and does
    unpacking under them work?"""
    long_a, long_b = "王" * 300 + "甲", "王" * 300 + "乙"
    archive = make_zip(tmp_path / "layout.zip", [(f"{long_a}/{CH}/{CH}.ipynb", notebook("a")),
                                                 (f"{long_b}/{CH}/{CH}.ipynb", notebook("b"))])
    rows = collect(archive, tmp_path / "work").submissions
    assert len(rows) == 2 and rows[0].student != rows[1].student
    for row in rows:
        assert len(row.student) <= 100 and len(row.student.encode()) <= 255 and row.student.startswith("王")
        assert row.path.parent.parent.name == row.student and row.name in (long_a, long_b)
    assert student_key("ada") == "ada" and student_key("王小明") == "王小明"
    assert len(student_key("a" * 150)) <= 100 and student_key("a" * 150) != student_key("a" * 151)
    for unsafe in ("..", ".", ".hidden", "a/b", "a\x00b", " ada", "ada ", "\x1b[2Jada", ""):
        key = student_key(unsafe)
        assert key != unsafe and key and "/" not in key and not key.startswith((".", " ")), (unsafe, key)
    assert student_key("a/b") != student_key("a-b") and student_key("ada") != student_key("ada ")


# ---------------------------------------------------------------------------------------- no order
def test_notebooks_with_no_order_between_them_are_all_named_and_one_chosen_by_a_stated_rule(tmp_path):
    """Two members of one name, and a.ipynb and b.ipynb for one chapter: is the later one in the zip, and the
    one with the later time stamp (though earlier in the zip), graded, with a note that says there was no order
    and what decided?"""
    members = [
        (f"alice/{CH}/{CH}.ipynb", notebook("alice first")),
        (f"bob/{CH}/a.ipynb", notebook("bob a"), (2024, 1, 2, 0, 0, 0)),
        (f"alice/{CH}/{CH}.ipynb", notebook("alice second")),
        (f"bob/{CH}/b.ipynb", notebook("bob b"), (2024, 1, 1, 0, 0, 0)),  # later in the zip, earlier in time
    ]
    archive = make_zip(tmp_path / "layout.zip", members)
    collection = collect(archive, tmp_path / "work")
    rows = rows_of(collection)
    assert b"alice second" in rows["alice", CH].path.read_bytes()
    assert rows["alice", CH].notes == [
        f"graded alice/{CH}/{CH}.ipynb of 2 notebooks handed in, nothing in the upload orders alice/{CH}/{CH}.ipynb "
        f"and alice/{CH}/{CH}.ipynb: chosen as the last in the upload; not graded: alice/{CH}/{CH}.ipynb"]
    assert b"bob a" in rows["bob", CH].path.read_bytes()
    assert rows["bob", CH].notes[0].endswith(f"chosen as the latest by its time stamp; not graded: bob/{CH}/b.ipynb")
    assert_all_accounted_for(collection, [member[0] for member in members])


def test_a_readable_notebook_wins_over_a_link_when_nothing_orders_them(tmp_path):
    """With no order between them, is the notebook that can be read graded rather than a link beside it?"""
    archive = make_zip(tmp_path / "layout.zip", [(f"eve/{CH}/mine.ipynb", notebook("eve")),
                                                 (f"eve/{CH}/link.ipynb", LINK)])
    row = collect(archive, tmp_path / "work").submissions[0]
    assert row.status is None and b"eve" in row.path.read_bytes()
    assert row.notes[0].endswith(f"chosen as the only one that can be read; not graded: eve/{CH}/link.ipynb")


# --------------------------------------------------------------------------------------------- a folder
@pytest.fixture
def folder(tmp_path, monkeypatch):
    root = tmp_path / "submissions"

    def put(path, data=b""):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
        return root / path

    put(f"alice/{CH}/{CH}.ipynb", notebook("alice"))
    put(f"alice/{CH}/Copy of {CH} (1).ipynb", notebook("alice copy"))
    put(f"alice/{CH}/.ipynb_checkpoints/{CH}-checkpoint.ipynb", notebook("checkpoint"))
    put(f"alice/{CH}/data/extra.ipynb", notebook("in a sub-folder"))
    put(f"bob/{CH}/mine.ipynb", notebook("bob"))
    (root / "carol" / CH).mkdir(parents=True)
    put(f"dave/{CH}/answers.py", b"print(1)")
    put("erin/ch99_nonexistent/x.ipynb", notebook("erin"))
    put(f"frank/{CH}.ipynb", notebook("frank loose"))
    put("notes.txt", b"the instructor's notes")
    (root / "linked_notebook" / CH).mkdir(parents=True)
    (root / "linked_notebook" / CH / f"{CH}.ipynb").symlink_to(SOURCE)
    (root / "linked_chapter").mkdir()
    (root / "linked_chapter" / CH).symlink_to(SOURCE.parent, target_is_directory=True)
    (root / "linked_student").symlink_to(REPO / "solutions", target_is_directory=True)
    (root / "fifo" / CH).mkdir(parents=True)
    os.mkfifo(root / "fifo" / CH / f"{CH}.ipynb")
    server = socket.socket(socket.AF_UNIX)
    (root / "socket" / CH).mkdir(parents=True)
    monkeypatch.chdir(root / "socket" / CH)  # a socket's path has at most 107 bytes: bind a relative one
    server.bind(f"{CH}.ipynb")
    yield root
    server.close()


def test_a_folder_keeps_the_layouts_rules_and_names_every_other_file(folder, tmp_path):
    """<chapter>.ipynb wins over a copy (noted), a lone notebook of another name is graded, an empty chapter
    folder is `missing`, a .py alone is the row's status, an unknown chapter's folder is a "?" row, and every
    file not graded (a notebook in a sub-folder, one outside a chapter's folder, a loose file) is skipped."""
    collection = collect(folder, tmp_path / "unused")
    rows = rows_of(collection)
    assert rows["alice", CH].path == folder / "alice" / CH / f"{CH}.ipynb" and rows["alice", CH].status is None
    assert rows["alice", CH].notes == [
        f"graded alice/{CH}/{CH}.ipynb of 2 notebooks handed in, the one named after the chapter; not graded: "
        f"alice/{CH}/Copy of {CH} (1).ipynb",
        f"also handed in: alice/{CH}/data/extra.ipynb (in a folder inside alice/{CH}; the notebook goes directly "
        f"in alice/{CH}; not graded)"]
    assert rows["bob", CH].path == folder / "bob" / CH / "mine.ipynb" and rows["bob", CH].notes == []
    assert rows["carol", CH].status == f"missing: carol/{CH} holds no file"
    assert rows["dave", CH].status == f"no notebook: handed in dave/{CH}/answers.py ({NOT_A_NOTEBOOK})"
    assert rows["erin", "?"].status == ("unknown chapter: erin/ch99_nonexistent/x.ipynb (erin/ch99_nonexistent is "
                                        "not a chapter's folder)")
    assert rows["frank", CH].status == (f"no notebook: handed in frank/{CH}.ipynb (a file not in a chapter's folder "
                                        "(expected <student>/<chapter>/<notebook>.ipynb))")
    assert skipped_of(collection)["notes.txt"].reason.startswith("not in a student's folder")
    assert not (tmp_path / "unused").exists()
    assert_all_accounted_for(collection, [  # every file but the hidden checkpoint
        f"alice/{CH}/{CH}.ipynb", f"alice/{CH}/Copy of {CH} (1).ipynb", f"alice/{CH}/data/extra.ipynb",
        f"bob/{CH}/mine.ipynb", f"dave/{CH}/answers.py", "erin/ch99_nonexistent/x.ipynb", f"frank/{CH}.ipynb",
        "notes.txt", f"linked_notebook/{CH}/{CH}.ipynb", f"linked_chapter/{CH}", "linked_student",
        f"fifo/{CH}/{CH}.ipynb", f"socket/{CH}/{CH}.ipynb"])


def test_a_folder_with_one_chapter_asked_for_leaves_the_others_out(folder, tmp_path):
    """Asked for another chapter, are the chapter's folders, loose notebooks of it and unknown chapters' folders
    left out, while a link where a student's folder should be is still that student's row?"""
    collection = collect(folder, tmp_path / "unused", only=(CH2,))
    assert [(row.student, row.chapter, row.status) for row in collection.submissions] == [
        ("linked_student", CH2, "not graded: linked_student is a symbolic link, not a folder; hand in the notebook "
                                "itself")]
    assert [s.file for s in collection.skipped] == ["notes.txt", "linked_student"]


@pytest.mark.parametrize("student, chapter, what", [
    ("linked_notebook", CH, f"linked_notebook/{CH}/{CH}.ipynb is a symbolic link, not a file"),
    ("linked_chapter", CH, f"linked_chapter/{CH} is a symbolic link, not a folder"),
    ("linked_student", "?", "linked_student is a symbolic link, not a folder"),
    ("fifo", CH, f"fifo/{CH}/{CH}.ipynb is a FIFO (named pipe), not a file"),
    ("socket", CH, f"socket/{CH}/{CH}.ipynb is a socket, not a file"),
])
def test_links_and_special_files_in_a_folder_get_a_status_and_no_path(folder, tmp_path, student, chapter, what):
    """(Ported from test_untrusted_inputs.) Does a notebook, chapter folder or student folder that is a link,
    or a notebook that is a FIFO or a socket, get `not graded: ...` and no path (and collecting never blocks)?"""
    row = rows_of(collect(folder, tmp_path / "unused"))[student, chapter]
    assert (row.path, row.status) == (None, f"not graded: {what}; hand in the notebook itself"), row


def test_a_link_is_not_chosen_over_the_notebook_named_after_the_chapter_by_its_suffix(tmp_path):
    """In a folder, <chapter>.ipynb wins over a newer-looking copy even when that copy is the only one that
    can be read? (The layout's rule: the copy is noted, the link's status is the row's.)"""
    root = tmp_path / "submissions"
    (root / "gus" / CH).mkdir(parents=True)
    (root / "gus" / CH / f"{CH}.ipynb").symlink_to(SOURCE)
    (root / "gus" / CH / f"{CH}-1.ipynb").write_bytes(notebook("gus"))
    row = collect(root, tmp_path / "unused").submissions[0]
    assert row.path is None and row.status.startswith(f"not graded: gus/{CH}/{CH}.ipynb is a symbolic link")


# ----------------------------------------------------------------------------- untrusted zips (ported)
def test_a_zip_member_that_is_a_link_is_not_unpacked(tmp_path):
    """(Ported.) Is a member whose attributes make it a link to the instructor's source given its status, with
    nothing written for it, while the honest member beside it is unpacked?"""
    archive = make_zip(tmp_path / "class.zip", [(f"alice/{CH}/{CH}.ipynb", notebook("alice")),
                                                (f"mallory/{CH}/{CH}.ipynb", LINK)])
    with zipfile.ZipFile(archive) as zf:  # the case is real: a link, to the instructor's source
        link = zf.getinfo(f"mallory/{CH}/{CH}.ipynb")
        assert stat.S_ISLNK(link.external_attr >> 16) and zf.read(link) == str(SOURCE).encode()
    work = tmp_path / "work"
    rows = rows_of(collect(archive, work))
    assert rows["alice", CH].status is None and b"alice" in rows["alice", CH].path.read_bytes()
    assert (rows["mallory", CH].path, rows["mallory", CH].status) == (
        None, f"not graded: mallory/{CH}/{CH}.ipynb in the zip is a symbolic link, not a file; hand in the notebook "
              "itself")
    assert not list((work / "mallory").rglob("*.ipynb"))


def test_a_zip_member_over_the_limit_costs_only_its_author(tmp_path):
    """(Ported.) Does a zip bomb (21 MB of spaces in a few kB) get `too large`, naming it, and nothing
    unpacked; and does the capped copy stop past its limit whatever the header says?"""
    bomb = b" " * (untrusted.MAX_NOTEBOOK_BYTES + 10**6)
    archive = make_zip(tmp_path / "class.zip", [(f"alice/{CH}/{CH}.ipynb", notebook("alice")),
                                                (f"bomber/{CH}/{CH}.ipynb", bomb)])
    assert archive.stat().st_size < 100_000
    work = tmp_path / "work"
    rows = rows_of(collect(archive, work))
    assert rows["alice", CH].status is None
    assert rows["bomber", CH].status == (f"not graded: bomber/{CH}/{CH}.ipynb in the zip is too large: 21 MB, the "
                                         f"limit is 20 MB; {untrusted.CLEAR_OUTPUTS}")
    assert not (work / "bomber" / CH / f"{CH}.ipynb").exists()
    with zipfile.ZipFile(archive) as zf:
        member = zf.getinfo(f"bomber/{CH}/{CH}.ipynb")
        assert len(zf.read(member)) == len(bomb)
        assert submissions.copy_member(zf, member, tmp_path / "capped", limit=1000) is False
        assert not (tmp_path / "capped").exists()


def test_a_zip_with_a_lying_or_broken_member_costs_only_its_author(tmp_path):
    """(Ported.) A member whose header says 1,000 bytes but holds more, and a member whose data is corrupt:
    does each get `could not be unpacked` naming it, nothing unpacked, and the honest member its notebook?"""
    archive = make_zip(tmp_path / "class.zip", [(f"alice/{CH}/{CH}.ipynb", notebook("alice")),
                                                (f"liar/{CH}/{CH}.ipynb", b"x" * 50_000),
                                                (f"corrupt/{CH}/{CH}.ipynb", os.urandom(5000))])
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        liar, corrupt = zf.getinfo(f"liar/{CH}/{CH}.ipynb"), zf.getinfo(f"corrupt/{CH}/{CH}.ipynb")
    at = data.find(b"PK\x01\x02")  # the central directory, where zipfile reads a member's size (offset 24)
    while at >= 0:
        if data[at + 46:at + 46 + len(liar.filename)] == liar.filename.encode():
            data[at + 24:at + 28] = (1000).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    start = corrupt.header_offset + 30 + len(corrupt.filename)  # the corrupt member's compressed data
    data[start + 10:start + 60] = bytes(50)
    archive.write_bytes(bytes(data))
    with zipfile.ZipFile(archive) as zf:
        assert zf.getinfo(liar.filename).file_size == 1000
        with pytest.raises((zipfile.BadZipFile, zlib.error)):
            zf.read(corrupt.filename)
    work = tmp_path / "work"
    collection = collect(archive, work)
    rows = rows_of(collection)
    assert rows["alice", CH].status is None
    for student in ("liar", "corrupt"):
        assert rows[student, CH].status.startswith(f"could not be unpacked: {student}/{CH}/{CH}.ipynb in the zip (")
        assert rows[student, CH].path is None and not (work / student / CH / f"{CH}.ipynb").exists()
        assert skipped_of(collection)[f"{student}/{CH}/{CH}.ipynb"].reason == rows[student, CH].status


def test_a_zip_over_the_member_limit_is_refused_whole(tmp_path, monkeypatch):
    """(Ported; the limit lowered to 3.) Is a zip with more members than MAX_ZIP_MEMBERS refused with a
    message naming the limit, before anything is unpacked, while one at the limit is collected?"""
    monkeypatch.setattr(submissions, "MAX_ZIP_MEMBERS", 3)
    members = [(f"s{i}/{CH}/{CH}.ipynb", notebook(f"s{i}")) for i in range(4)]
    with pytest.raises(CourseError, match="has 4 members, the limit is 3"):
        collect(make_zip(tmp_path / "huge.zip", members), tmp_path / "work")
    assert not (tmp_path / "work").exists()
    assert len(collect(make_zip(tmp_path / "ok.zip", members[:3]), tmp_path / "work").submissions) == 3


def test_a_zip_over_the_unpacked_limit_is_refused_whole(tmp_path, monkeypatch):
    """(Ported.) Does a zip whose chosen notebooks would unpack to more than MAX_UNPACKED raise, naming the
    limit, before anything is unpacked? Resubmissions not chosen do not count."""
    honest = notebook("honest")
    monkeypatch.setattr(submissions, "MAX_UNPACKED", 3 * len(honest))
    three = [(f"s{i}/{CH}/{CH}-{n}.ipynb", honest) for i in range(3) for n in (1, 2)]
    assert len(collect(make_zip(tmp_path / "ok.zip", three), tmp_path / "ok").submissions) == 3
    archive = make_zip(tmp_path / "class.zip", [(f"s{i}/{CH}/{CH}.ipynb", honest) for i in range(4)])
    with pytest.raises(CourseError, match="would unpack to .* of notebooks, the limit is"):
        collect(archive, tmp_path / "work")
    assert not (tmp_path / "work").exists()


@pytest.mark.parametrize("content, message", [
    (None, "is neither a folder of submissions .* nor a zip file"),
    (b"not a zip", "is neither a folder of submissions .* nor a zip file"),
    ([("readme.txt", b"x"), ("__MACOSX/x", b"y")], "no file in .* matched the file names of Canvas"),
])
def test_an_upload_that_cannot_be_read_at_all_is_refused_with_what_to_do(tmp_path, content, message):
    upload = tmp_path / "upload.zip"
    if isinstance(content, bytes):
        upload.write_bytes(content)
    elif content is not None:
        make_zip(upload, content)
    with pytest.raises(CourseError, match=message):
        collect(upload, tmp_path / "work")
