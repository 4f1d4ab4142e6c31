"""The playground page, one module per panel; each factory returns a small dataclass of handles.

`page.build_demo(settings)` lays the panels out and wires their events to `components.handlers`.
"""
