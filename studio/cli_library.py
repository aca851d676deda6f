"""`studio library migrate-to | login | offline-copy`: team libraries on a PostgreSQL server."""

from __future__ import annotations

import getpass
import sys


def add_parsers(library, common) -> None:
    mig = library.add_parser("migrate-to", parents=[common], help="make this personal library a team library on a PostgreSQL server (copied and verified)")
    mig.add_argument("url", metavar="URL", help="an empty database: postgresql://[USER@]HOST[:PORT]/DATABASE (the password comes from `studio library login`)")
    mig.add_argument("--folder", metavar="SHARED_DIR",
                     help="a new folder on the network share for the media (default: this library's own folder becomes the shared one)")
    mig.add_argument("--media", metavar="STORE_URL",
                     help="keep the media in an object store instead (s3://bucket/prefix, gs://…, az://…: any fsspec filesystem)")
    log = library.add_parser("login", parents=[common], help="store your user name and password for a team library's server in the keyring")
    log.add_argument("url", metavar="URL", help="postgresql://HOST[:PORT]/DATABASE")
    log.add_argument("--user", required=True, metavar="NAME")
    log.add_argument("--password-stdin", action="store_true", help="read the password from standard input (else it is asked for)")
    library.add_parser("offline-copy", parents=[common], help="save this workstation's read-only copy of a team library, for when its server is down")


def cmd_library_migrate_to(args) -> int:
    from studio.cli import _print, open_library, progress_state
    from studio.cli_pull import unlocked_secrets
    from studio.core.team_copy import MigrateParams, migrate_to

    state = progress_state(quiet=args.json)
    with open_library(args) as lib:
        report = migrate_to(lib, MigrateParams(args.url, args.folder, args.media), state, _secrets_if_any(unlocked_secrets))
    if not args.json:
        print(file=sys.stderr)
    _print(args, report, f"{report['rows']:,} rows and {report['files']:,} files copied to {report['url']} and {report['folder']}, "
                         f"checked row by row, in {report['seconds']:.1f} s.\nOpen it with --library {report['folder']} "
                         f"(or --library {report['url']}); the personal database stays in {report['personal_copy']}.")
    return 0


def cmd_library_login(args) -> int:
    from studio.cli import _print
    from studio.cli_pull import unlocked_secrets
    from studio.core import team
    from studio.core.errors import BadInput

    server = team.parse_server(args.url)
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(f"Password for {args.user} on {server.key}: ")
    if not password:
        raise BadInput("The password is empty: nothing was stored.")
    secrets = unlocked_secrets()
    team.save_login(secrets, team.Server(server.host, server.port, server.database), args.user, password)
    _print(args, {"server": server.key, "user": args.user, "stored": True},
           f"Stored the login of {args.user} on {server.key} in the keyring; it works.")
    return 0


def cmd_library_offline_copy(args) -> int:
    from studio.cli import _print, open_library, progress_state
    from studio.core.team_copy import save_offline_copy

    with open_library(args) as lib:
        path = save_offline_copy(lib, progress_state(quiet=args.json))
    if not args.json:
        print(file=sys.stderr)
    _print(args, {"offline_copy": str(path), "bytes": path.stat().st_size}, f"Saved the offline copy in {path}")
    return 0


def _secrets_if_any(unlocked):
    """The key store when it can be opened without asking (OS keyring, or the master password in
    the environment); else None, and the server login comes from PostgreSQL's own files."""
    from studio.core.errors import SecretsUnavailable

    try:
        return unlocked()
    except SecretsUnavailable:
        return None


COMMANDS = {
    ("library", "migrate-to"): cmd_library_migrate_to,
    ("library", "login"): cmd_library_login,
    ("library", "offline-copy"): cmd_library_offline_copy,
}
