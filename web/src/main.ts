// Entry point of Sightline's web UI (built by Vite into web/dist, served by `sightline run`).
import './styles.css';
import { App } from './app';

new App(document.getElementById('app')!).start();
