"""`python3 -m genautoml_runner`: stream set-up and limits first, then torch, then one request."""
import sys

from . import prelude


def main() -> int:
    args = prelude.parse_args(sys.argv[1:])
    capped = prelude.setup_streams()
    applied = prelude.apply_limits(args.get("limits"))
    applied["seccomp"] = prelude.apply_seccomp(args.get("seccomp", "required"))
    from . import server  # imports torch: after the limits, before any request (warm pool)

    return server.serve(applied, capped)


if __name__ == "__main__":
    sys.exit(main())
