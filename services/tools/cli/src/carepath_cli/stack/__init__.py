"""The local stack: a Kafka broker and the three services as processes on this machine."""

from carepath_cli.stack.stack import BusSecrets, LocalStack, StackError, StackState, group_id

__all__ = ["BusSecrets", "LocalStack", "StackError", "StackState", "group_id"]
