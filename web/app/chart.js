// chart.js - ECharts for the statistics dashboard. The library
// (web/vendor/echarts.mjs, 700 KB) is imported on first use, so only the
// dashboard ever fetches it. A chart only complements its table: the
// chart is an image to assistive technology (role img) labelled with a
// text summary of its figures, and has nothing to focus or hover (no
// tooltip: ECharts builds tooltips from HTML with inline styles, which
// the CSP refuses).
import { html, useEffect, useRef, useState } from './lib.js';
import { t } from './i18n.js';

// one series in the brand's blue; several: blue, green, orange (need,
// arranged, gap)
const COLORS = ['#0b4f8a', '#1b5e20', '#c25e00', '#6a1b9a', '#4a4f57'];
let lib = null;

export function loadECharts() {
	if (!lib)
		lib = import('../vendor/echarts.mjs').then((m) => m.default,
		    (e) => {
			lib = null;	// the next chart tries again
			throw e;
		    });
	return lib;
}

function font() {
	return getComputedStyle(document.documentElement).fontFamily;
}

// Horizontal bars: one per name, or one group per name with a bar per
// series ({name, values}) and a legend.
export function barOption(names, series) {
	const many = series.length > 1;

	return {
		animation: false,
		color: COLORS,
		textStyle: { fontFamily: font(), fontSize: 13, color: '#1a1a1a' },
		legend: many ? { top: 0, itemGap: 16,
		    textStyle: { fontSize: 13 } } : undefined,
		grid: { left: 4, right: 48, top: many ? 32 : 4, bottom: 4,
		    containLabel: true },
		xAxis: { type: 'value', minInterval: 1, splitNumber: 3,
		    axisLabel: { color: '#4a4f57', hideOverlap: true } },
		yAxis: { type: 'category', data: names, inverse: true,
		    axisLabel: { color: '#1a1a1a', width: 120,
		    overflow: 'truncate' } },
		series: series.map((s) => ({
			name: s.name, type: 'bar', data: s.values,
			barMaxWidth: 22,
			label: { show: true, position: 'right',
			    color: '#1a1a1a', fontSize: many ? 11 : 13 }
		}))
	};
}

// An axis figure in few characters: 12000 -> "1.2万" (Chinese) or "12k",
// 35000000 -> "3500万" / "35M", so the labels of a narrow chart do not run
// together.
export function shortNum(v, lang) {
	const n = Number(v);
	const a = Math.abs(n);
	const trim = (x) => String(Number(x.toFixed(1)));

	if (lang === 'en') {
		if (a >= 1e6)
			return trim(n / 1e6) + 'M';
		if (a >= 1e3)
			return trim(n / 1e3) + 'k';
		return String(n);
	}
	if (a >= 1e8)
		return trim(n / 1e8) + '亿';
	if (a >= 1e4)
		return trim(n / 1e4) + '万';
	return String(n);
}

// Functions do not survive the JSON the option travels as: the value
// axes get their short labels here.
function readable(opt) {
	const lang = document.documentElement.lang === 'en' ? 'en' : 'zh';

	for (const ax of [].concat(opt.xAxis || [], opt.yAxis || []))
		if (ax.type === 'value')
			ax.axisLabel = { ...(ax.axisLabel || {}),
			    formatter: (v) => shortNum(v, lang) };
	return opt;
}

// "残疾类别图: 视力残疾 44 人; 听力残疾 77 人; …", the chart's label.
export function summaryOf(title, names, series) {
	const parts = names.map((n, i) => series.length === 1 ?
	    `${n} ${t('stats.unit', { v: series[0].values[i] })}` :
	    `${n}: ${series.map((s) => `${s.name} ${s.values[i]}`)
	    .join(', ')}`);

	return t('stats.chart', { title, summary: parts.join('; ') });
}

// A chart of option, labelled with summary; size class "chart-box" (CSS),
// "tall" for a longer one.
export function Chart({ option, summary, tall }) {
	const box = useRef(null);
	const chart = useRef(null);
	const [failed, setFailed] = useState(false);
	const key = JSON.stringify(option);
	const latest = useRef(key);

	latest.current = key;

	useEffect(() => {
		let live = true, seen = null;

		loadECharts().then((ec) => {
			if (!live || !box.current)
				return;
			chart.current = ec.init(box.current, null,
			    { renderer: 'canvas' });
			chart.current.setOption(readable(JSON.parse(latest.current)),
			    true);
			seen = new ResizeObserver(() => requestAnimationFrame(
			    () => chart.current && chart.current.resize()));
			seen.observe(box.current);
		}, () => live && setFailed(true));
		return () => {
			live = false;
			if (seen)
				seen.disconnect();
			if (chart.current)
				chart.current.dispose();
			chart.current = null;
		};
	}, []);
	useEffect(() => {
		if (chart.current)
			chart.current.setOption(readable(JSON.parse(key)), true);
	}, [key]);
	if (failed)
		return html`<p class="hint">${t('stats.chartFail')}</p>`;
	return html`<div class="chart" role="img" aria-label=${summary}>
		<div class=${'chart-box' + (tall ? ' tall' : '')} ref=${box}></div>
	</div>`;
}
