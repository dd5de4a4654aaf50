"""The service image carries the runtime, the contracts and the services, and nothing of the
tools around them: importing every module of those packages loads no tool package."""

import json
import subprocess
import sys

SHIPPED = [
    "carepath_contracts",
    "carepath_runtime",
    "carepath_intake",
    "carepath_infusion",
    "carepath_followup",
]
TOOLS = [
    "carepath_cli",
    "carepath_localkafka",
    "carepath_testing",
    "carepath_simulator",
    "typer",
    "pytest",
]

_IMPORT_ALL = """
import importlib, json, pkgutil, sys
for name in {shipped!r}:
    package = importlib.import_module(name)
    for module in pkgutil.walk_packages(package.__path__, name + "."):
        if ".migrations." not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}})))
"""


def test_importing_every_shipped_module_loads_no_tool_package():
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", _IMPORT_ALL.format(shipped=SHIPPED)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert set(SHIPPED) <= set(loaded)
    assert [tool for tool in TOOLS if tool in loaded] == []
