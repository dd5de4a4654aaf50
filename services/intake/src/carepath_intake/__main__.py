"""`python -m carepath_intake`: serve intake's HTTP API and broker consumer."""

from carepath_intake import IntakeSettings, create_app
from carepath_runtime.serve import serve


def main() -> None:
    settings = IntakeSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
