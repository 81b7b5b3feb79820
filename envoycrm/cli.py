"""``flask`` commands: demo data, translations and user administration."""

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po
from flask import Flask
from flask.cli import AppGroup

from envoycrm import resource_dir
from envoycrm.extensions import db

# One line width for every catalog write, so updates make no reflow noise.
PO_WIDTH = 88

demo_cli = AppGroup("demo", help="Demo data.")
translate_cli = AppGroup(
    "translate", help="Extract, update, compile and check catalogs."
)
users_cli = AppGroup("users", help="User accounts.")


@demo_cli.command("load")
@click.option(
    "--if-empty", is_flag=True, help="Only load into a database without users."
)
@click.option(
    "--scale",
    type=click.IntRange(1, 20),
    default=1,
    show_default=True,
    help="Multiply the students (20,000) and interactions (100,000).",
)
def demo_load(if_empty: bool, scale: int) -> None:
    """Load the demo dataset (deterministic; a second run adds nothing)."""
    from envoycrm.demo.loader import DEMO_PASSWORD, FIXED_SIGN_INS, is_empty, load_demo

    if if_empty and not is_empty():
        click.echo("The database already has users; demo data not loaded.")
    else:
        report = load_demo(scale)
        added = ", ".join(f"{n} {kind}" for kind, n in report.added.items())
        click.echo(f"Demo data loaded ({added or 'nothing new'}).")
    click.echo(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
    for email, what in FIXED_SIGN_INS:
        click.echo(f"  {email:<26} {what}")


def _babel(*args: str) -> None:
    """Run ``pybabel`` from this interpreter's environment."""
    command = [sys.executable, "-m", "babel.messages.frontend", *args]
    subprocess.run(command, check=True)  # noqa: S603 - fixed program, our arguments


def _pot_path() -> Path:
    return resource_dir("translations") / "messages.pot"


@translate_cli.command("extract")
def translate_extract() -> None:
    """Collect every translatable message into ``translations/messages.pot``."""
    extract_messages()


def extract_messages() -> None:
    """Write ``translations/messages.pot`` from the code and the templates."""
    _babel(
        "extract",
        "-F",
        str(resource_dir("translations") / "babel.cfg"),
        "-k",
        "_l",
        "--no-location",
        "--sort-output",
        "--width",
        str(PO_WIDTH),
        "-o",
        str(_pot_path()),
        str(Path(__file__).resolve().parent),
        str(resource_dir("templates")),
    )


@translate_cli.command("update")
def translate_update() -> None:
    """Extract, merge new messages into every catalog, fill the English one."""
    extract_messages()
    _babel(
        "update",
        "--width",
        str(PO_WIDTH),
        "-i",
        str(_pot_path()),
        "-d",
        str(resource_dir("translations")),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )
    fill_source_catalog(resource_dir("translations") / "en/LC_MESSAGES/messages.po")


def fill_source_catalog(po_path: Path) -> None:
    """English is the source language: each message translates to itself."""
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not message.string or not all(message.string):
                message.string = (message.id[0], message.id[1])
        elif not message.string:
            message.string = message.id
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=PO_WIDTH, omit_header=False)


@translate_cli.command("traditional")
def translate_traditional() -> None:
    """Fill untranslated Traditional Chinese messages from the Simplified ones.

    The conversion (OpenCC's Taiwan standard characters, then the words of
    ``TRADITIONAL_WORDS``) is a first draft: every message it fills is printed
    for a reader to check.
    """
    translations = resource_dir("translations")
    for source, target, _message in fill_traditional_catalog(
        translations / "zh_Hans/LC_MESSAGES/messages.po",
        translations / "zh_Hant/LC_MESSAGES/messages.po",
    ):
        click.echo(f"{source}\n  → {target}")


# Words written differently in Hong Kong, Macau and Taiwan, applied after the
# character conversion. A whole-word vocabulary converter (OpenCC's s2twp) also
# turns 微信号 into 微訊號 and 审核 into 稽核, so the list is kept here instead.
TRADITIONAL_WORDS = (
    ("併發布", "並發布"),
    ("賬號", "帳號"),
    ("賬戶", "帳戶"),
    ("退出登錄", "登出"),
    ("登錄", "登入"),
    ("設置", "設定"),
    ("鏈接", "連結"),
    ("個人信息", "個人資料"),
    ("信息", "資訊"),
    ("保存", "儲存"),
    ("數據", "資料"),
    ("文件", "檔案"),
    ("用戶", "使用者"),
    ("創建", "建立"),
    ("添加", "新增"),
    ("默認", "預設"),
    ("導入", "匯入"),
    ("導出", "匯出"),
    ("視圖", "檢視"),
    ("字符", "字元"),
    ("軟件", "軟體"),
    ("網絡", "網路"),
    ("聯繫", "聯絡"),
    ("視頻", "影片"),
    ("打印", "列印"),
    ("激活", "啟用"),
    ("質量", "品質"),
    ("回復", "回覆"),
    ("“", "「"),
    ("”", "」"),
)


def to_traditional(text: str) -> str:
    """Simplified Chinese text in Traditional characters and words."""
    from opencc import OpenCC  # a development tool, not needed to serve

    text = OpenCC("s2tw").convert(text)
    for simplified_form, traditional_form in TRADITIONAL_WORDS:
        text = text.replace(simplified_form, traditional_form)
    return text


def fill_traditional_catalog(simplified: Path, traditional: Path) -> list:
    """Fill empty messages of ``traditional`` by converting ``simplified``.

    Returns (simplified, traditional, msgid) for each message filled.
    """
    convert = to_traditional
    with simplified.open("rb") as handle:
        source = {message.id: message for message in read_po(handle) if message.id}
    with traditional.open("rb") as handle:
        catalog = read_po(handle)
    filled = []
    for message in catalog:
        original = source.get(message.id)
        if not message.id or original is None or original.fuzzy:
            continue
        strings = (
            message.string if isinstance(message.string, tuple) else (message.string,)
        )
        if all(strings):
            continue
        if isinstance(original.string, tuple):
            message.string = tuple(convert(part) for part in original.string)
        else:
            message.string = convert(str(original.string or ""))
        message.flags.discard("fuzzy")
        filled.append((original.string, message.string, message.id))
    with traditional.open("wb") as handle:
        write_po(handle, catalog, width=PO_WIDTH, omit_header=False)
    return filled


@translate_cli.command("init")
@click.argument("locale")
def translate_init(locale: str) -> None:
    """Start a catalog for a new language."""
    extract_messages()
    _babel(
        "init",
        "-i",
        str(_pot_path()),
        "-d",
        str(resource_dir("translations")),
        "-l",
        locale,
    )


@translate_cli.command("compile")
def translate_compile() -> None:
    """Compile every catalog to the ``.mo`` files the app reads."""
    _babel("compile", "-d", str(resource_dir("translations")), "--statistics")


def catalog_problems(directory: Path | None = None) -> list[str]:
    """Untranslated or fuzzy messages in every catalog, as readable lines."""
    directory = directory or resource_dir("translations")
    problems = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        locale = po_path.parent.parent.name
        for message in catalog:
            if not message.id:
                continue
            strings = (
                message.string
                if isinstance(message.string, tuple)
                else (message.string,)
            )
            if message.fuzzy:
                problems.append(f"{locale}: fuzzy: {message.id!r}")
            elif not all(strings):
                problems.append(f"{locale}: untranslated: {message.id!r}")
    return problems


@translate_cli.command("check")
def translate_check() -> None:
    """Fail when any catalog has an untranslated or fuzzy message."""
    problems = catalog_problems()
    for line in problems:
        click.echo(line, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("All catalogs complete.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", help="Full name.")
def users_create_admin(email: str, name: str) -> None:
    """Create an administrator and print a one-time link to choose a password."""
    from envoycrm.auth.services import (
        INVITE,
        find_user_by_email,
        make_token,
        normalise_email,
    )
    from envoycrm.models import Role, User
    from envoycrm.urls import absolute_url

    if find_user_by_email(email):
        raise click.ClickException(f"{email} already has an account.")
    user = User(
        email=normalise_email(email), full_name=name, role=Role.ADMIN, locale="zh_Hans"
    )
    db.session.add(user)
    db.session.commit()
    link = absolute_url("auth.set_password", token=make_token(user, INVITE))
    click.echo(f"Administrator created. Choose a password at:\n{link}")


students_cli = AppGroup("students", help="Student records.")


@students_cli.command("reindex")
def students_reindex() -> None:
    """Rebuild the search tokens of every student."""
    from envoycrm.students.search import reindex_all

    count = reindex_all(db.session.connection())
    db.session.commit()
    click.echo(f"{count} students indexed.")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(demo_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(users_cli)
    from envoycrm import scheduler
    from envoycrm.digests.cli import digests_cli

    app.cli.add_command(digests_cli)
    scheduler.init_app(app)
    app.cli.add_command(students_cli)
    from envoycrm.jobs.cli import jobs_cli

    app.cli.add_command(jobs_cli)
    from envoycrm.backup import backup_command, restore_command
    from envoycrm.privacy.cli import privacy_cli

    app.cli.add_command(privacy_cli)
    from envoycrm.rollups.cli import rollups_cli

    app.cli.add_command(rollups_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
