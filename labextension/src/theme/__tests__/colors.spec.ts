import { FALLBACK_CHART_COLORS, chartColors, chartColorsOf } from '../colors';

describe('chartColors', () => {
  it('takes the line from the brand colour and the axis from the theme text colour', () => {
    const vars: Record<string, string> = {
      '--jp-brand-color1': ' #2196f3',
      '--jp-ui-font-color1': 'rgba(255,255,255,.87) ',
      '--jp-border-color2': '#333',
      '--jp-border-color1': '#616161'
    };
    expect(chartColors(name => vars[name] ?? '')).toEqual({
      line: '#2196f3',
      axis: 'rgba(255,255,255,.87)',
      grid: '#333',
      ticks: '#616161'
    });
  });

  it('falls back for each missing variable on its own', () => {
    const colors = chartColors(name =>
      name === '--jp-brand-color1' ? 'red' : '  '
    );
    expect(colors).toEqual({ ...FALLBACK_CHART_COLORS, line: 'red' });
  });
});

describe('chartColorsOf', () => {
  it('reads the variables in effect for the node, again after they change', () => {
    const node = document.createElement('div');
    document.body.appendChild(node);
    node.style.setProperty('--jp-ui-font-color1', '#000');
    expect(chartColorsOf(node).axis).toBe('#000');
    node.style.setProperty('--jp-ui-font-color1', '#fff');
    expect(chartColorsOf(node).axis).toBe('#fff');
    node.remove();
  });
});
