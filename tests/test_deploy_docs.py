"""docs/deploy.md and the example files in deploy/ name only real commands and settings.

The compose file and the Dockerfile are never run here (there is no Docker), and the systemd
units are never booted; tests/test_many_machines.py runs the processes they describe. These
checks keep the examples from drifting away from the code: every `bedtales …` command line
parses with the real command tree (names, options, values), every ``BEDTALES_…`` variable is
a real setting and the example env file loads, the compose file parses and serves every
target, and the units are well-formed.
"""

from __future__ import annotations

import configparser
import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any, get_args

import pytest
import typer
from pydantic import BaseModel

from bedtales.cli.main import cli
from bedtales.config import ENV_PREFIX, BusSettings, Settings, load_settings

ROOT = Path(__file__).parent.parent
DOC = ROOT / "docs" / "deploy.md"
DEPLOY = ROOT / "deploy"
ENV_EXAMPLE = DEPLOY / "bedtales.env.example"
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
ALL_TARGETS = set(BusSettings().targets)

ENV_NAME = re.compile(r"\bBEDTALES_[A-Z0-9_]*[A-Z0-9]\b")
WORKER_ARGS = re.compile(r"""WORKER_ARGS=([^"\n]*)""")
SHELL_ENDS = {"&&", "||", ";", "|", ">", ">>", "2>&1", "&"}
INSTANCE = "9101"  # what %i stands for in the worker template: its metrics port


def deploy_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.is_file())


# ----------------------------------------------------------------------------- commands


def parse_command(argv: list[str]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Parse the words after ``bedtales`` as the CLI would, without running anything.

    Returns the command's path and its parsed parameters; raises AssertionError naming what
    is wrong (no such command, an unknown option, a bad value, an extra argument)."""
    command: Any = typer.main.get_command(cli)
    path: list[str] = []
    args = list(argv)
    while hasattr(command, "commands"):  # a group
        assert args, f"`bedtales {' '.join(path)}` is a group, not a command"
        word = args.pop(0)
        if word.startswith("-"):
            names = {name for param in command.params for name in param.opts}
            assert word in names, f"`bedtales {' '.join(path)}` has no option {word}"
            continue
        sub = command.commands.get(word)
        assert sub is not None, f"no command `bedtales {' '.join([*path, word])}`"
        path.append(word)
        command = sub
    try:
        context = command.make_context(" ".join(["bedtales", *path]), args)
    except typer.Exit:  # --help
        return tuple(path), {}
    except typer.TyperException as exc:  # typer's own click: a usage error or a bad value
        raise AssertionError(f"`bedtales {' '.join(argv)}`: {exc.format_message()}") from None
    params = dict(context.params)
    if path == ["worker"] and params.get("targets"):
        named = {t.strip() for t in params["targets"].split(",") if t.strip()}
        assert named <= ALL_TARGETS, (
            f"`bedtales {' '.join(argv)}`: no target(s) {named - ALL_TARGETS}"
        )
    return tuple(path), params


def after_bedtales(words: list[str]) -> list[str] | None:
    """The words after the first ``bedtales`` (or ``…/bin/bedtales``) up to a shell operator;
    None when the line runs no bedtales command (a bare ``bedtales`` is the user's name)."""
    for index, word in enumerate(words[:-1]):
        if word == "bedtales" or word.endswith("/bin/bedtales"):
            rest = words[index + 1 :]
            for end, token in enumerate(rest):
                if token in SHELL_ENDS:
                    return rest[:end]
            return rest
    return None


def doc_command_lines() -> list[list[str]]:
    """Command lines in docs/deploy.md: lines of ```sh blocks and `bedtales …` code spans."""
    found: list[list[str]] = []
    in_block, is_shell, lines = False, False, DOC.read_text().splitlines()
    pending = ""
    for line in lines:
        if line.lstrip().startswith("```"):
            in_block, is_shell = not in_block, line.strip() in ("```sh", "```bash")
            continue
        if in_block and is_shell:
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1] + " "
                continue
            words = after_bedtales(shlex.split(pending + line, comments=True))
            pending = ""
            if words is not None:
                found.append(words)
        elif not in_block:
            for span in re.findall(r"`([^`]+)`", line):
                if span.startswith("bedtales "):
                    found.append(shlex.split(span)[1:])
    return found


def worker_args_lines() -> list[list[str]]:
    """``WORKER_ARGS=…`` anywhere (the worker template's options): arguments of a worker."""
    texts = [DOC.read_text(), *(p.read_text() for p in UNITS)]
    return [
        ["worker", "--metrics-port", INSTANCE, *shlex.split(match)]
        for text in texts
        for match in WORKER_ARGS.findall(text)
    ]


def compose() -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def compose_bedtales_services() -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose()["services"].items()
        if str(service.get("image", "")).startswith("bedtales")
    }


def command_words(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(w) for w in command]


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep the key's case
    parser.read_string(path.read_text())
    return parser


def unit_command(exec_start: str) -> list[str]:
    line = exec_start.lstrip("-@:+!").replace("%i", INSTANCE).replace("$WORKER_ARGS", "")
    words = after_bedtales(shlex.split(line))
    assert words is not None, f"ExecStart runs no bedtales: {exec_start}"
    return words


def test_the_command_line_checker_catches_mistakes() -> None:
    assert parse_command(["worker", "--targets", "narrate", "--no-pipe"])[0] == ("worker",)
    for wrong in (
        ["wroker"],
        ["worker", "--target", "narrate"],
        ["worker", "--targets", "narate"],
        ["worker", "--metrics-port", "0"],
        ["worker", "--concurrency", "many"],
        ["web", "extra"],
        ["dlq"],
    ):
        with pytest.raises(AssertionError):
            parse_command(wrong)


def test_every_command_line_in_the_doc_is_real() -> None:
    lines = doc_command_lines()
    assert len(lines) >= 15, lines
    commands = {parse_command(words)[0] for words in lines}
    for part in (("web",), ("scheduler",), ("worker",), ("init",), ("run",)):
        assert part in commands, f"docs/deploy.md shows no `bedtales {' '.join(part)}`"


def test_worker_options_given_through_worker_args_are_real() -> None:
    lines = worker_args_lines()
    assert lines, "no WORKER_ARGS example"
    for words in lines:
        parse_command(words)


def test_every_bedtales_variable_is_a_real_setting() -> None:
    def is_setting(name: str) -> bool:
        model: type[BaseModel] = Settings
        parts = name.removeprefix(ENV_PREFIX).lower().split("__")
        for index, part in enumerate(parts):
            field = model.model_fields.get(part)
            if field is None:
                return False
            annotation = field.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                model = annotation  # a section: the next part names its setting
                continue
            nested = [a for a in get_args(annotation) if isinstance(a, type)]
            toml_only = any(issubclass(a, BaseModel) for a in nested)  # rules, targets, pipes
            return index == len(parts) - 1 and not toml_only
        return False

    found: dict[str, set[str]] = {}
    for path in [DOC, *deploy_files()]:
        for name in ENV_NAME.findall(path.read_text()):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    assert "BEDTALES_DATABASE_URL" in found
    unknown = {name: sorted(where) for name, where in found.items() if not is_setting(name)}
    assert unknown == {}, f"not settings (see docs/settings.md): {unknown}"


def env_example(*, commented: bool) -> dict[str, str]:
    """The example env file's assignments; ``commented`` adds the commented-out ones."""
    values: dict[str, str] = {}
    for raw in ENV_EXAMPLE.read_text().splitlines():
        line = raw.strip()
        if commented and re.match(r"#\s*BEDTALES_\w+=", line):
            line = line.lstrip("#").strip()
        if line and not line.startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f"not NAME=value: {raw!r}"
            assert name == name.strip(), f"spaces around '=': {raw!r}"
            values[name] = value
    return values


def load_with(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str]) -> Settings:
    with monkeypatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        return load_settings(tmp_path)


def test_the_example_env_file_loads_as_a_split_deployment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = load_with(monkeypatch, tmp_path, env_example(commented=False))
    assert settings.resolved_database_url.startswith("postgresql+psycopg://")
    assert settings.bus.backend == "redis"
    assert settings.media.store == "s3"
    assert settings.web.base_url.startswith("https://")
    assert settings.admin_token is not None
    # the commented-out choices (a remote text engine) are valid settings too
    other = load_with(monkeypatch, tmp_path, env_example(commented=True))
    assert other.text.engine == "openai"


def interpolated(value: object) -> str:
    """A compose value with its ${VARIABLE…} references filled in."""
    return re.sub(r"\$\{[^}]*\}", "example", str(value))


def test_the_compose_file_parses_and_its_settings_load(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    document = compose()
    services = document["services"]
    assert {"postgres", "redis", "s3", "init"} <= set(services)
    assert services["scheduler"]["deploy"]["replicas"] >= 2
    bedtales = compose_bedtales_services()
    assert {"init", "web", "scheduler", "worker"} <= set(bedtales)
    for name, service in bedtales.items():
        assert service["env_file"] == "bedtales.env", name
        env = {**env_example(commented=False)}
        env.update({k: interpolated(v) for k, v in service["environment"].items()})
        settings = load_with(monkeypatch, tmp_path, env)
        assert settings.bus.backend == "redis", name
        assert settings.media.store == "s3", name
        assert "@postgres:5432/" in settings.resolved_database_url, name
        if name != "init":  # everything else waits for the migration
            assert service["depends_on"]["init"] == {
                "condition": "service_completed_successfully"
            }, name


def test_the_compose_commands_are_real_and_every_target_is_served() -> None:
    served: set[str] = set()
    for name, service in compose_bedtales_services().items():
        words = after_bedtales(command_words(service["command"]))
        assert words is not None, f"{name} runs no bedtales command"
        path, params = parse_command(words)
        if path == ("worker",):
            targets = params.get("targets")
            served |= set(targets.split(",")) if targets else ALL_TARGETS
        check = " ".join(service.get("healthcheck", {}).get("test", []))
        for port in re.findall(r"127\.0\.0\.1:(\d+)/", check):
            assert port in words, f"{name}: the health check asks port {port}, not in {words}"
    assert served >= ALL_TARGETS, f"no compose worker serves {ALL_TARGETS - served}"


def test_the_files_compose_uses_exist() -> None:
    document = compose()
    for name, service in document["services"].items():
        build = service.get("build")
        if build:
            context = (DEPLOY / build["context"]).resolve()
            assert (context / build["dockerfile"]).is_file(), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                file = DEPLOY / source
                assert file.exists() or file.with_name(file.name + ".example").exists(), volume
    assert (DEPLOY / "bedtales.env.example").is_file()
    identity = json.loads((DEPLOY / "seaweedfs-s3.json.example").read_text())
    keys = identity["identities"][0]["credentials"][0]
    example = env_example(commented=False)
    assert keys["accessKey"] == example["BEDTALES_MEDIA__S3_ACCESS_KEY_ID"]


def test_the_image_installs_real_extras_and_runs_a_real_command() -> None:
    extras = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    text = DOCKERFILE.read_text()
    default = re.search(r"^ARG EXTRAS=(.*)$", text, flags=re.MULTILINE)
    assert default is not None
    chosen = [
        default.group(1),
        *(s["build"]["args"]["EXTRAS"] for s in compose()["services"].values() if "build" in s),
    ]
    for value in chosen:
        assert {e for e in str(value).split(",") if e} <= extras - {"dev"}, value
    for source in re.findall(r"^COPY (.+) \S+$", text, flags=re.MULTILINE):
        for name in source.split():
            assert (ROOT / name).exists(), f"the Dockerfile copies {name}, which is not there"
    cmd = re.search(r"^CMD (\[.*\])$", text, flags=re.MULTILINE)
    assert cmd is not None
    words = after_bedtales(json.loads(cmd.group(1)))
    assert words is not None
    parse_command(words)


def test_the_systemd_units_are_well_formed() -> None:
    names = {p.name for p in UNITS}
    assert names == {
        "bedtales-web.service",
        "bedtales-scheduler.service",
        "bedtales-worker@.service",
    }
    for path in UNITS:
        parser = unit(path)
        assert {"Unit", "Service", "Install"} <= set(parser.sections()), path.name
        service = parser["Service"]
        assert service["ExecStart"].startswith("/"), path.name  # systemd wants a full path
        assert service.get("User") == "bedtales", path.name
        assert "/etc/bedtales/bedtales.env" in path.read_text(), path.name
        assert parser["Install"].get("WantedBy") == "multi-user.target", path.name
        command, _ = parse_command(unit_command(service["ExecStart"]))
        assert path.name.startswith(f"bedtales-{command[0]}"), (path.name, command)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    bedtales = Path(sys.executable).parent / "bedtales"
    assert bedtales.is_file(), "bedtales is not installed in this virtualenv"
    paths = []
    for path in UNITS:
        name = path.name.replace("@.", f"@{INSTANCE}.")  # an instance of the template
        copy = tmp_path / name
        copy.write_text(path.read_text().replace("/opt/bedtales/bin/bedtales", str(bedtales)))
        paths.append(str(copy))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *paths],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    warned = [Path(p).name for p in paths if Path(p).name in result.stderr]
    assert warned == [], result.stderr  # warnings about our units do not fail the command


def test_the_doc_and_the_deploy_folder_name_each_other() -> None:
    text = DOC.read_text()
    named = set(re.findall(r"`(deploy/[\w./@-]*[\w@-])`", text))
    # deploy/bedtales.env is the reader's copy of deploy/bedtales.env.example
    missing = [n for n in named if not any((ROOT / f).exists() for f in (n, n + ".example"))]
    assert missing == [], f"docs/deploy.md names files that are not there: {missing}"
    unnamed = [
        str(p.relative_to(ROOT))
        for p in deploy_files()
        if str(p.relative_to(ROOT)) not in text and p.name not in text
    ]
    assert unnamed == [], f"files in deploy/ that docs/deploy.md never mentions: {unnamed}"
    assert "not run" in text  # the examples say plainly what was not tried
