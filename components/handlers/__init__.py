"""Event handlers: plain functions of plain values that call the backend and return plain data.

Nothing here imports gradio or builds a URL; the panels in `components/` turn the returned values
into component updates. That keeps every flow testable by calling a function.
"""
