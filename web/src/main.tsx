import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import App from './App';
import { restoreSession } from './api/auth';
import { followSession } from './live/follow';
import { applyTheme, useUi } from './stores/ui';
import './styles/global.css';
import './styles/projects.css';

applyTheme(useUi.getState().theme);

// Exactly once per page load (outside React, so StrictMode's double effects cannot repeat it):
// the refresh cookie is rotated on use, and presenting it twice would look like token theft.
void restoreSession();
// Live updates while someone is signed in (the socket's code loads after sign-in).
followSession();

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
