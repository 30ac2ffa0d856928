// Passkeys (WebAuthn): a form marked data-webauthn="create" or "get" asks the
// browser's authenticator with the options the server put in data-options,
// puts the answer in the form's "credential" field, and then submits it.
document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.webauthn || form.dataset.answered) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  const status = form.querySelector('[data-webauthn-status]');
  try {
    const options = JSON.parse(form.dataset.options);
    const credential = form.dataset.webauthn === 'create'
      ? await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) })
      : await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) });
    form.elements.credential.value = JSON.stringify(credential.toJSON());
    form.dataset.answered = '1';
    form.submit();
  } catch (error) {
    if (status) status.textContent = status.dataset.failed;
  }
}, true);
