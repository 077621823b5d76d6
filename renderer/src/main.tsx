// Renderer entry: translations, the connection to the kiosk service, then the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { initI18n } from './i18n/i18n';
import { KioskContext } from './kiosk-context';
import { connectToKiosk } from './rpc/connect';
import './styles.css';

initI18n();
const client = connectToKiosk();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <KioskContext.Provider value={client}>
      <App />
    </KioskContext.Provider>
  </StrictMode>,
);
