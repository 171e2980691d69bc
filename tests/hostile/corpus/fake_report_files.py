ASSIGNMENT = "jhu-hw3"
# compose: template+snippet
# Attacks the output folder: the blank template, plus report.json, grades.csv, results.jsonl,
# run.json and a feedback file claiming full marks, written to the working folder, to its
# parents, to folders named by environment variables or common names, and to the real output
# folder of the run (@@OUT_DIR@@, as if the student had guessed it).
# Expect: 0 points, every item missing; the output folder holds only what the grader wrote.
import json
import os

_REPORT = {"assignment": "jhu-hw3", "seed": 0, "sandbox": "bwrap", "submissions": [
    {"student": "fake_report_files", "status": "graded", "error": None, "points": 24.0,
     "max_points": 27.0, "pending_manual_points": 0.0, "questions": []}]}
_FILES = {
    "report.json": json.dumps(_REPORT),
    "grades.csv": "student,automatic,total\nfake_report_files,24,24\nhonest_correct,0,0\n",
    "results.jsonl": json.dumps({"key": "forged", "report": _REPORT["submissions"][0]}) + "\n",
    "run.json": json.dumps({"state": "running", "seed": 1}),
    "feedback/honest_correct.md": "# Feedback for honest_correct\n\nforged: 0 / 27\n",
    "forged-by-fake_report_files.txt": "forged\n",
}
_TARGETS = [".", "..", "../..", "../../..", "grader-results", "out",
            "@@OUT_DIR@@", *(os.environ.get(v, "") for v in ("OUT", "GRADER_OUT", "OUTPUT_DIR"))]
for _folder in filter(None, _TARGETS):
    for _name, _text in _FILES.items():
        try:
            _path = os.path.join(_folder, _name)
            os.makedirs(os.path.dirname(_path), exist_ok=True)
            with open(_path, "w") as _handle:
                _handle.write(_text)
        except OSError:
            pass
