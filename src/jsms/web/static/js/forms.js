// Behaviour the pages used to write inline (the Content-Security-Policy allows scripts only from
// this site's files): a <select data-autosubmit> sends its form when changed, an
// <input data-select-all> selects its text when clicked (a link to copy).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});
document.addEventListener("click", (event) => {
  const input = event.target.closest("input[data-select-all]");
  if (input) input.select();
});
