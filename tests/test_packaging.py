"""What `pip install .` puts into site-packages: one top-level package, `newsbot`, never `bot` or `index`."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_installs_only_newsbot_at_the_top(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    [wheel] = tmp_path.glob("newsbot-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"newsbot", wheel.name.split("-py")[0] + ".dist-info"}
    for expected in ("newsbot/bot/cli.py", "newsbot/index/store.py", "newsbot/bot/data/ranking.json",
                     "newsbot/index/data/background.txt", "newsbot/index/data/colloquial-id.tsv"):
        assert expected in names
    entry_points = zipfile.ZipFile(wheel).read(wheel.name.split("-py")[0] + ".dist-info/entry_points.txt").decode()
    assert "newsbot = newsbot.bot.cli:main" in entry_points


def test_generic_names_are_not_importable_outside_the_checkout(tmp_path):
    code = "import importlib.util as u; print(u.find_spec('bot'), u.find_spec('index'), u.find_spec('newsbot.bot'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    missing_bot, missing_index, found = out.stdout.split(" ", 2)
    assert (missing_bot, missing_index) == ("None", "None") and found.strip() != "None"
    failed = subprocess.run([sys.executable, "-c", "import bot"], cwd=tmp_path, capture_output=True, text=True)
    assert failed.returncode != 0 and "No module named 'bot'" in failed.stderr
