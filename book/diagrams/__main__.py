"""Write the course's diagrams as SVG files: ``python -m book.diagrams OUT_DIR [NAME ...]``.

With no NAME, every diagram of ``book.diagrams.DIAGRAMS`` is written; each file is ``OUT_DIR/<name>.svg``,
and its path is printed.
"""

import sys

from book.diagrams import DIAGRAMS, write


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        print("\nDiagrams: " + ", ".join(DIAGRAMS))
        return 0 if args else 2
    out_dir, names = args[0], args[1:]
    unknown = [n for n in names if n not in DIAGRAMS]
    if unknown:
        print(f"unknown diagram(s): {', '.join(unknown)}; the diagrams are: {', '.join(DIAGRAMS)}",
              file=sys.stderr)
        return 2
    for path in write(out_dir, names):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
