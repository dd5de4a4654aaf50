"""`python -m carepath_followup`: serve the follow-up service with settings from the environment."""

from carepath_followup.app import create_app
from carepath_followup.settings import FollowupSettings
from carepath_runtime.serve import serve


def main() -> None:
    settings = FollowupSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
