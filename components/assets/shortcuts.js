() => {
  // Ctrl+Enter (Cmd+Enter on a Mac) runs from anywhere on the page, as on the HF widgets.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const run = document.querySelector("#run");
      if (run && !run.disabled) {
        event.preventDefault();
        run.click();
      }
    }
  });
}
