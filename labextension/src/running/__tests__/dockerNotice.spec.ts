import { dockerNotice } from '../dockerNotice';

describe('dockerNotice', () => {
  it('says nothing while Docker is available or the server does not say', () => {
    expect(dockerNotice({ available: true, problem: null })).toBeNull();
    expect(dockerNotice(undefined)).toBeNull();
    expect(dockerNotice(null)).toBeNull();
  });

  it('names the problem and what still works', () => {
    expect(
      dockerNotice({
        available: false,
        problem: 'the Docker engine is not reachable: No such file or directory'
      })
    ).toBe(
      'Docker is unavailable: the Docker engine is not reachable: No such file or directory. ' +
        'Notebooks run in local processes.'
    );
  });

  it('does not double the full stop and copes without a problem', () => {
    expect(
      dockerNotice({ available: false, problem: 'engine stopped. ' })
    ).toBe(
      'Docker is unavailable: engine stopped. Notebooks run in local processes.'
    );
    expect(dockerNotice({ available: false, problem: null })).toBe(
      'Docker is unavailable. Notebooks run in local processes.'
    );
  });
});
