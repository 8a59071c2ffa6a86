// lib.js - Preact, its hooks and htm from web/vendor/ (copied there from
// npm by `make web`), and the html tag every component uses.
import { h, render } from '../vendor/preact.mjs';
import {
	useState, useEffect, useRef, useCallback, useMemo
} from '../vendor/hooks.mjs';
import htm from '../vendor/htm.mjs';

export const html = htm.bind(h);
export { h, render, useState, useEffect, useRef, useCallback, useMemo };
