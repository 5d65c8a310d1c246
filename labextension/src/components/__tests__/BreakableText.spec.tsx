import * as React from 'react';
import { act } from 'react';
import { createRoot } from 'react-dom/client';

import { BreakableText, breakPoints } from '../BreakableText';

(globalThis as any).IS_REACT_ACT_ENVIRONMENT = true;

describe('breakPoints', () => {
  it('splits after the separators of image names and instance types', () => {
    expect(breakPoints('atelier/datascience:latest')).toEqual([
      'atelier/',
      'datascience:',
      'latest'
    ]);
    expect(breakPoints('ml.t3.medium')).toEqual(['ml.', 't3.', 'medium']);
    expect(breakPoints('plain')).toEqual(['plain']);
    expect(breakPoints('')).toEqual([]);
  });
});

describe('BreakableText', () => {
  it('keeps the text whole and allows breaks only after separators', () => {
    const node = document.createElement('div');
    const root = createRoot(node);
    act(() => root.render(<BreakableText text="atelier/datascience:latest" />));
    expect(node.textContent).toBe('atelier/datascience:latest');
    expect(node.querySelectorAll('wbr')).toHaveLength(2);
    expect(node.innerHTML).toBe('atelier/<wbr>datascience:<wbr>latest');
    act(() => root.unmount());
  });
});
