"""`python -m carepath_infusion`: serve the infusion service."""

from carepath_infusion import InfusionSettings, create_app
from carepath_runtime.serve import serve


def main() -> None:
    settings = InfusionSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
