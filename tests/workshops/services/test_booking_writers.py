"""One writer of seats: only `workshops.services.booking` writes bookings and their history.

A lint over the source of registration/, workshops/ and outbox/ (migrations
left out). It sees writes through a manager or a related manager
(`Booking.objects…delete()`, `delegate.bookings.all().delete()`) and
constructing the models; it cannot see a write on an instance fetched
elsewhere (`booking.delete()`) or a cascade, which the admin tests cover.
"""

import ast

from tests.source import call_chain, project_modules

WRITER = "workshops/services/booking.py"
# Builds the unsaved history rows that booking.py saves; imported by nothing else.
HISTORY = "workshops/services/history.py"
SEAT_MODELS = {"Booking", "BookingChange"}
SEAT_MANAGERS = {"bookings", "booking_changes"}  # the related managers on Delegate and Session
WRITES = {
    "create",
    "bulk_create",
    "get_or_create",
    "update_or_create",
    "update",
    "bulk_update",
    "delete",
}


def seat_writes(tree):
    """(line, code) for each write of bookings or history, and each construction of one."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        chain = call_chain(node)
        on_model = len(chain) > 1 and chain[0] in SEAT_MODELS and chain[1] == "objects"
        through_manager = on_model or any(name in SEAT_MANAGERS for name in chain[:-1])
        if (chain and chain[-1] in WRITES and through_manager) or chain in (
            ["Booking"],
            ["BookingChange"],
        ):
            found.append((node.lineno, ast.unparse(node)[:80]))
    return found


def test_seat_writes_found_in_every_form_the_lint_knows():
    source = """
Booking.objects.filter(pk=1).delete()
Booking.objects.bulk_create([])
BookingChange.objects.create(delegate=d)
delegate.bookings.all().delete()
session.bookings.filter(x=1).update(y=2)
delegate.booking_changes.update(reason="")
Booking(delegate=d)
delegate.bookings.count()
Booking.objects.filter(pk=1).exists()
"""
    assert [line for line, _ in seat_writes(ast.parse(source))] == [2, 3, 4, 5, 6, 7, 8]


def test_only_the_booking_service_writes_bookings_and_their_history():
    offenders = {
        path: writes
        for path, tree in project_modules()
        if path != WRITER and (writes := seat_writes(tree))
    }
    # history.py may build history rows (it never saves them); nothing else may touch either.
    history = offenders.pop(HISTORY, [])
    assert all("BookingChange(" in code for _, code in history)
    assert offenders == {}


def imported_modules(tree):
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_history_helpers_are_private_to_the_booking_service():
    importers = [
        path
        for path, tree in project_modules()
        if "workshops.services.history" in imported_modules(tree)
    ]
    assert importers == [WRITER]


def test_waiting_lists_never_import_the_booking_service():
    # booking.py imports waitlist.py (who is next); the reverse would be a cycle.
    modules = dict(project_modules(("workshops",)))
    assert not {
        name
        for name in imported_modules(modules["workshops/services/waitlist.py"])
        if name.startswith("workshops.services.booking")
    }


def test_imports_sit_at_the_top_of_modules_except_in_app_ready():
    inside = []
    for path, tree in project_modules(("registration", "workshops", "outbox", "worker", "socex")):
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if function.name == "ready" and path.endswith("apps.py"):
                continue  # Django's place for importing signal receivers
            inside += [
                f"{path}:{node.lineno}"
                for node in ast.walk(function)
                if isinstance(node, ast.Import | ast.ImportFrom)
            ]
    assert inside == []
