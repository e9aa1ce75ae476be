// The script of devtoolsServer's page: the panel, open, over a remoteDevtoolsSource connected to the server
// that served the page (its token, if any, came in the page's URL).
import { createRoot } from 'react-dom/client';
import { DevtoolsPanel } from './panel.js';
import { remoteDevtoolsSource } from './remote-source.js';

const root = document.getElementById('root');
if (!root) throw new Error('errand devtools: the page has no #root element');
const source = remoteDevtoolsSource({ url: location.href });
createRoot(root).render(<DevtoolsPanel source={source} />);
