"""Entry script of the frozen app (PyInstaller): the `studio` command."""

import multiprocessing

if __name__ == "__main__":
    # The job runner spawns worker processes; in a frozen app they re-run this binary.
    multiprocessing.freeze_support()
    from studio.cli import main

    raise SystemExit(main())
