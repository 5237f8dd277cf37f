// The admin UI works without JavaScript; this only adds conveniences.
document.addEventListener('click', async (event) => {
  // "Copy" buttons: data-copy="#id-of-input".
  const button = event.target.closest('[data-copy]');
  if (button) {
    const input = document.querySelector(button.dataset.copy);
    if (!input) return;
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      document.execCommand('copy');
    }
    const label = button.textContent;
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = label; }, 1500);
    return;
  }
  // Destructive buttons ask first: data-confirm="Delete this admin?".
  const confirmer = event.target.closest('[data-confirm]');
  if (confirmer && !window.confirm(confirmer.dataset.confirm)) event.preventDefault();
});
