import {
  changeConfirmText,
  choiceLabel,
  isDifferent,
  kernelFor,
  notebookOn,
  readMetadata,
  shownChoice,
  typeDetails,
  unavailableText,
  withImage
} from '../spec';
import { catalogs, kernelOn } from './catalogs';

describe('readMetadata', () => {
  it('reads instance_type and atelier.image', () => {
    expect(readMetadata('ml.m5.large', { image: 'local' })).toEqual({
      instanceType: 'ml.m5.large',
      image: 'local'
    });
  });

  it('ignores missing, empty and malformed values', () => {
    expect(readMetadata(undefined, undefined)).toEqual({
      instanceType: null,
      image: null
    });
    expect(readMetadata('  ', { image: 3 })).toEqual({
      instanceType: null,
      image: null
    });
    expect(readMetadata(42, 'local')).toEqual({
      instanceType: null,
      image: null
    });
  });

  it('sets the image and keeps the other atelier keys', () => {
    expect(
      withImage({ image: 'local', other: 1 }, 'atelier/base:latest')
    ).toEqual({ image: 'atelier/base:latest', other: 1 });
    expect(withImage(undefined, 'local')).toEqual({ image: 'local' });
    expect(withImage(['x'], 'local')).toEqual({ image: 'local' });
  });
});

describe('shownChoice', () => {
  const none = { instanceType: null, image: null };

  it("prefers the kernel's instance reported by the server", () => {
    expect(
      shownChoice(
        kernelOn('ml.m5.large', 'local'),
        { instanceType: 'ml.c5.large', image: 'local' },
        catalogs()
      )
    ).toEqual({
      instanceType: 'ml.m5.large',
      image: 'local',
      source: 'kernel'
    });
  });

  it('falls back to the saved metadata while the kernel starts', () => {
    expect(
      shownChoice(
        undefined,
        { instanceType: 'ml.m5.large', image: null },
        catalogs()
      )
    ).toEqual({
      instanceType: 'ml.m5.large',
      image: 'local',
      source: 'notebook'
    });
  });

  it("falls back to the server's defaults, or nothing before they load", () => {
    expect(shownChoice(undefined, none, catalogs())).toEqual({
      instanceType: 'ml.t3.medium',
      image: 'local',
      source: 'default'
    });
    expect(shownChoice(undefined, none, null)).toBeNull();
  });
});

describe('labels', () => {
  it('shows type, size and image in the toolbar', () => {
    expect(
      choiceLabel({ instanceType: 'ml.t3.medium', image: 'local' }, catalogs())
    ).toBe('ml.t3.medium · 2 vCPU · 4 GiB · local');
    expect(
      choiceLabel({ instanceType: 'ml.t3.medium', image: 'local' }, null)
    ).toBe('ml.t3.medium · local');
  });

  it('details each type with GPUs and price', () => {
    const [t3, , gpu] = catalogs().types.instance_types;
    expect(typeDetails(t3)).toBe('2 vCPU · 4 GiB · $0.05/h');
    expect(typeDetails(gpu)).toBe('4 vCPU · 16 GiB · 1 GPU · $0.7364/h');
    expect(unavailableText(t3)).toBeNull();
    expect(unavailableText(gpu)).toBe('needs 1 GPU; this host has none');
    expect(unavailableText({ ...gpu, unavailable_reason: null })).toBe(
      'Not available on this server.'
    );
  });

  it('warns that the kernel restarts and its state is lost', () => {
    const from = { instanceType: 'ml.t3.medium', image: 'local' };
    expect(isDifferent(from, { ...from })).toBe(false);
    expect(
      changeConfirmText('a/b.ipynb', from, {
        ...from,
        instanceType: 'ml.m5.large'
      })
    ).toBe(
      'The kernel of a/b.ipynb restarts on an ml.m5.large instance. ' +
        'Its state (variables, imported modules) is lost. ' +
        'The notebook is saved first, so it runs there when it is reopened.'
    );
    expect(
      changeConfirmText('b.ipynb', from, {
        ...from,
        image: 'atelier/base:latest'
      })
    ).toContain('restarts on the atelier/base:latest image.');
    expect(
      changeConfirmText('b.ipynb', from, {
        instanceType: 'ml.m5.large',
        image: 'atelier/base:latest'
      })
    ).toContain(
      'on an ml.m5.large instance with the atelier/base:latest image.'
    );
  });
});

describe('a new notebook on an instance', () => {
  it("starts with the image's first kernelspec, else python3", () => {
    expect(kernelFor(catalogs(), 'local')).toBe('python3');
    expect(kernelFor(catalogs(), 'no-such-image')).toBe('python3');
  });

  it('is saved asking for the type and image, as the toolbar picker writes them', () => {
    const nb = notebookOn(
      { instanceType: 'ml.m5.large', image: 'atelier/base:latest' },
      'python3'
    ) as any;
    expect(nb.metadata.instance_type).toBe('ml.m5.large');
    expect(nb.metadata.atelier).toEqual({ image: 'atelier/base:latest' });
    expect(nb.metadata.kernelspec.name).toBe('python3');
    expect(nb.cells).toEqual([]);
    expect(nb.nbformat).toBe(4);
  });
});
