import { CatalogStore } from '../catalog';
import { changeInstance, INotebookPanelLike, kernelName } from '../change';
import { catalogs } from './catalogs';

/** A notebook panel stand-in recording what the change does, in order. */
function fakePanel(
  metadata: Record<string, any>,
  running: string | null
): { panel: INotebookPanelLike; calls: string[] } {
  const calls: string[] = [];
  const panel = {
    context: {
      path: 'work/train.ipynb',
      model: {
        getMetadata: (key: string) => metadata[key],
        setMetadata: (key: string, value: any) => {
          calls.push(`set ${key}=${JSON.stringify(value)}`);
          metadata[key] = value;
        }
      },
      save: async () => {
        calls.push('save');
      }
    },
    sessionContext: {
      session: running ? { kernel: { name: running } } : null,
      kernelPreference: {},
      specsManager: { specs: { default: 'python3' } },
      changeKernel: async (options: any) => {
        calls.push(`changeKernel ${JSON.stringify(options)}`);
        return null;
      }
    } as any
  } as unknown as INotebookPanelLike;
  return { panel, calls };
}

describe('changeInstance', () => {
  it('writes the metadata, saves, then starts a kernel of the same spec', async () => {
    const { panel, calls } = fakePanel(
      { atelier: { keep: true }, kernelspec: { name: 'python3' } },
      'python3'
    );
    await changeInstance(panel, {
      instanceType: 'ml.m5.large',
      image: 'local'
    });
    expect(calls).toEqual([
      'set instance_type="ml.m5.large"',
      'set atelier={"keep":true,"image":"local"}',
      'save',
      'changeKernel {"name":"python3"}'
    ]);
  });

  it('restarts with the notebook kernelspec when no kernel runs', () => {
    expect(
      kernelName(fakePanel({ kernelspec: { name: 'ir' } }, null).panel)
    ).toBe('ir');
    expect(kernelName(fakePanel({}, null).panel)).toBe('python3');
  });
});

describe('CatalogStore', () => {
  it('fetches once, shares the answer and fetches again on request', async () => {
    const data = catalogs();
    const fetchTypes = jest.fn(async () => data.types);
    const fetchImages = jest.fn(async () => data.images);
    const store = new CatalogStore({ fetchTypes, fetchImages });
    let changed = 0;
    store.changed.connect(() => changed++);
    expect(store.catalogs).toBeNull();
    const [a, b] = await Promise.all([store.load(), store.load()]);
    expect(a).toBe(b);
    expect(store.catalogs?.types.default).toBe('ml.t3.medium');
    expect(fetchTypes).toHaveBeenCalledTimes(1);
    await store.load(true);
    expect(fetchImages).toHaveBeenCalledTimes(2);
    expect(changed).toBe(2);
  });

  it('forgets a failed fetch so the next load tries again', async () => {
    const data = catalogs();
    const fetchTypes = jest
      .fn()
      .mockRejectedValueOnce(new Error('Atelier server unavailable'))
      .mockResolvedValue(data.types);
    const store = new CatalogStore({
      fetchTypes,
      fetchImages: async () => data.images
    });
    await expect(store.load()).rejects.toThrow('Atelier server unavailable');
    await expect(store.load()).resolves.toEqual(data);
  });
});
