// The renderer's entry: styles, then the app.

import { mount } from 'svelte';
import App from './App.svelte';
import './styles/theme.css';
import './styles/layout.css';

mount(App, { target: document.getElementById('app')! });
