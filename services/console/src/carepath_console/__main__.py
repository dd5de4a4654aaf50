"""`python -m carepath_console`: serve the console with settings from the environment."""

from carepath_console.app import create_app
from carepath_console.settings import ConsoleSettings
from carepath_runtime.serve import serve


def main() -> None:
    settings = ConsoleSettings()
    app = create_app(settings)
    serve(app, settings, on_exit=app.state.board.close)


if __name__ == "__main__":
    main()
