"""Tables for core.secrets: built-in secret patterns, user globs, .lsp-complete-ignore semantics, URIs."""

from __future__ import annotations

import pytest

from lsp_complete.core.secrets import (
    BUILTIN_SECRET_PATTERNS,
    ExclusionRules,
    builtin_reason,
    path_from_uri,
)


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        ("/p/.env", True),
        ("/p/.env.local", True),
        ("/p/.env.production", True),
        ("/p/prod.env", True),
        ("/p/.ENV", True),
        ("/p/environment.py", False),
        ("/p/env.py", False),
        ("/p/.envrc", True),
        ("/p/.env/lib/site.py", False),  # a virtualenv named .env holds code, not secrets
        ("/p/src/keys.py", False),
        ("/p/server.key", True),
        ("/p/Server.KEY", True),
        ("/p/monkey.py", False),
        ("/p/cert.pem", True),
        ("/p/store.p12", True),
        ("/p/store.pfx", True),
        ("/home/u/.ssh/config", True),
        ("/home/u/.ssh/keys/extra", True),
        ("/home/u/.SSH/known_hosts", True),
        ("/home/u/ssh/config", False),
        ("/home/u/id_rsa", True),
        ("/home/u/id_rsa.pub", True),
        ("/home/u/id_ed25519", True),
        ("/home/u/.aws/credentials", True),
        ("/home/u/.aws/config", True),
        ("/home/u/.gnupg/pubring.kbx", True),
        ("/home/u/.kube/config", True),
        ("/home/u/.docker/config.json", True),
        ("/p/.npmrc", True),
        ("/p/.pypirc", True),
        ("/home/u/.netrc", True),
        ("C:/Users/u/_netrc", True),
        ("C:\\Users\\u\\.ssh\\id_rsa", True),
        ("/p/credentials.json", True),
        ("/p/docs/secrets.md", True),
        ("/p/secretsmanager.py", False),
        ("/p/secret_santa.py", False),
        ("/p/vault.kdbx", True),
        ("/p/app.keystore", True),
        ("/p/app.jks", True),
        ("/p/.git-credentials", True),
        ("/p/.htpasswd", True),
        ("/p/backup.tar.gz.gpg", True),
        ("/p/key.asc", True),
        ("/p/office.ovpn", True),
        ("/p/infra/terraform.tfstate", True),
        ("/p/infra/terraform.tfstate.backup", True),
        ("/p/infra/prod.tfvars", True),
        ("/p/infra/main.tf", False),
        ("/p/service-account-prod.json", True),
        ("/p/service.json", False),
        ("/p/src/main.py", False),
        ("/p/README.md", False),
        ("/", False),
        ("", False),
    ],
)
def test_builtin_patterns(path: str, excluded: bool) -> None:
    assert ExclusionRules().is_excluded(path) is excluded


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/p/.env.local", "builtin: .env.*"),
        ("/home/u/.ssh/config", "builtin: .ssh/*"),
        ("/p/main.py", None),
    ],
)
def test_reason_names_the_pattern(path: str, reason: str | None) -> None:
    assert ExclusionRules().reason(path) == reason


def test_required_builtins_present() -> None:
    required = {".env", ".env.*", "*.env", "*.pem", "*.key", "id_rsa*", "*.tfstate", ".ssh/*", "*.p12"}
    assert required <= set(BUILTIN_SECRET_PATTERNS)
    assert builtin_reason("/x/y.pfx") == "*.pfx"


IGNORE = """\
# comments and blank lines are skipped

   
*.log
!keep.log
/build
generated/
docs/**/draft-*.md
**/fixtures/*.json
!fixtures/public.json
data/**
\\#hash.txt
\\!bang.txt
tmp[0-9].txt
"""


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        pytest.param("/r/app.log", True, id="unanchored-glob"),
        pytest.param("/r/deep/er/app.LOG", True, id="unanchored-glob-any-depth-any-case"),
        pytest.param("/r/keep.log", False, id="negation-reincludes"),
        pytest.param("/r/sub/keep.log", False, id="negation-any-depth"),
        pytest.param("/r/build", True, id="anchored-file"),
        pytest.param("/r/build/out.py", True, id="anchored-dir-covers-contents"),
        pytest.param("/r/src/build/out.py", False, id="anchored-only-at-its-directory"),
        pytest.param("/r/generated/a.py", True, id="dir-pattern"),
        pytest.param("/r/src/generated/deep/a.py", True, id="dir-pattern-any-depth"),
        pytest.param("/r/generated", False, id="dir-pattern-not-a-file"),
        pytest.param("/r/docs/draft-1.md", True, id="double-star-zero-dirs"),
        pytest.param("/r/docs/a/b/draft-2.md", True, id="double-star-many-dirs"),
        pytest.param("/r/docs/a/final.md", False, id="double-star-other-name"),
        pytest.param("/r/x/fixtures/big.json", True, id="leading-double-star"),
        pytest.param("/r/x/myfixtures/big.json", False, id="leading-double-star-whole-names"),
        pytest.param("/r/docs/adraft-1.md", False, id="middle-double-star-whole-names"),
        pytest.param("/r/fixtures/public.json", False, id="anchored-negation"),
        pytest.param("/r/x/fixtures/public.json", True, id="anchored-negation-only-at-root"),
        pytest.param("/r/data/a/b.csv", True, id="trailing-double-star"),
        pytest.param("/r/#hash.txt", True, id="escaped-hash"),
        pytest.param("/r/!bang.txt", True, id="escaped-bang"),
        pytest.param("/r/tmp3.txt", True, id="character-class"),
        pytest.param("/r/tmpx.txt", False, id="character-class-miss"),
        pytest.param("/other/app.log", False, id="outside-the-ignore-files-directory"),
        pytest.param("/r/# comments and blank lines are skipped", False, id="comment-is-not-a-pattern"),
    ],
)
def test_ignore_file(path: str, excluded: bool) -> None:
    assert ExclusionRules(ignore_files={"/r": IGNORE}).is_excluded(path) is excluded


@pytest.mark.parametrize(
    ("ignore_files", "path", "excluded"),
    [
        pytest.param({"/r": "out/\n!out/keep.py\n"}, "/r/out/keep.py", True, id="no-reinclude-in-out"),
        pytest.param({"/r": "out/*\n!out/keep.py\n"}, "/r/out/keep.py", False, id="reinclude-if-dir-kept"),
        pytest.param({"/r": "*.py\n", "/r/sub": "!*.py\n"}, "/r/sub/a.py", False, id="deeper-file-overrides"),
        pytest.param({"/r/sub": "!*.py\n", "/r": "*.py\n"}, "/r/sub/a.py", False, id="order-by-depth"),
        pytest.param({"/r/sub": "*.py\n"}, "/r/a.py", False, id="deeper-file-not-applied-above"),
        pytest.param({"/r/": "/a.py\n"}, "/r/a.py", True, id="trailing-slash-on-directory"),
        pytest.param({"/r": "!.env\n!*\n"}, "/r/.env", True, id="cannot-unmask-builtins"),
        pytest.param({"/r": "/src/*.py\n"}, "/r/src/a.py", True, id="middle-slash-anchors"),
        pytest.param({"/r": "/src/*.py\n"}, "/r/src/sub/a.py", False, id="star-stops-at-slash"),
        pytest.param({"/r": "trailing.txt   \n"}, "/r/trailing.txt", True, id="trailing-spaces-ignored"),
        pytest.param({"/r": "a?.txt\n"}, "/r/a/.txt", False, id="question-mark-not-slash"),
        pytest.param({"/r": "**\n"}, "/r/any/thing.py", True, id="double-star-alone"),
        pytest.param({"/r": "[!a]b\n"}, "/r/cb", True, id="negated-class"),
        pytest.param({"/r": "[!a]b\n"}, "/r/ab", False, id="negated-class-miss"),
        pytest.param({"/": "*.bak\n"}, "/x/y.bak", True, id="root-directory"),
    ],
)
def test_ignore_semantics(ignore_files: dict[str, str], path: str, excluded: bool) -> None:
    assert ExclusionRules(ignore_files=ignore_files).is_excluded(path) is excluded


@pytest.mark.parametrize(
    ("globs", "path", "excluded"),
    [
        pytest.param(["*.secret"], "/p/a/b.SECRET", True, id="basename-any-depth"),
        pytest.param(["private/"], "/p/private/notes.md", True, id="dir"),
        pytest.param(["config/prod/**"], "/p/svc/config/prod/db.yaml", True, id="relative-with-slash-floats"),
        pytest.param(["/home/me/notes/**"], "/home/me/notes/x.md", True, id="absolute-anchors"),
        pytest.param(["/home/me/notes/**"], "/p/home/me/notes/x.md", False, id="absolute-anchors-miss"),
        pytest.param(["*.secret", "!a.secret"], "/p/a.secret", False, id="negation-within-globs"),
        pytest.param(["!*.key"], "/p/server.key", True, id="globs-cannot-unmask-builtins"),
        pytest.param(["*.secret"], "rel/dir/x.secret", True, id="relative-path"),
        pytest.param([], "/p/x.secret", False, id="no-globs"),
    ],
)
def test_user_globs(globs: list[str], path: str, excluded: bool) -> None:
    assert ExclusionRules(user_globs=globs).is_excluded(path) is excluded


def test_user_globs_win_over_ignore_files_and_reason_names_the_source() -> None:
    rules = ExclusionRules(user_globs=["*.secret"], ignore_files={"/r": "!*.secret\nout/\n"})
    assert rules.reason("/r/a.secret") == "settings: *.secret"
    assert rules.reason("/r/out/a.py") == "/r/.lsp-complete-ignore: out/"


@pytest.mark.parametrize(
    ("uri", "path"),
    [
        ("file:///home/u/p/main.py", "/home/u/p/main.py"),
        ("file:///home/u/my%20project/a%23b.py", "/home/u/my project/a#b.py"),
        ("file:///c%3A/Users/u/.env", "/c:/Users/u/.env"),
        ("file://localhost/etc/hosts", "/etc/hosts"),
        ("file://server/share/.npmrc", "//server/share/.npmrc"),
        ("file:/etc/passwd", "/etc/passwd"),
        ("untitled:Untitled-1", "Untitled-1"),
        ("vscode-remote://ssh-remote%2Bhost/home/u/.env", "/home/u/.env"),
        ("vscode-notebook-cell:/p/nb.ipynb#W0sZmlsZQ%3D%3D", "/p/nb.ipynb"),
        ("file:///p/%E6%BC%A2%E5%AD%97.py", "/p/漢字.py"),
    ],
)
def test_path_from_uri(uri: str, path: str) -> None:
    assert path_from_uri(uri) == path


def test_uri_path_feeds_the_rules() -> None:
    assert ExclusionRules().is_excluded(path_from_uri("file:///c%3A/Users/u/.ssh/id_ed25519"))
