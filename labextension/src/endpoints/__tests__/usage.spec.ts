import { capturePreview, captureSummary, spoolUse } from '../capture';
import { formatPercent, instanceUsage } from '../format';
import { ENDPOINT_CHARTS, chartSeries, withLatestUsage } from '../metrics';
import { IEndpointMetrics } from '../tokens';
import { variant } from './fixtures';

describe('instance usage', () => {
  it('says CPU, memory percent and used memory, or nothing before a sample', () => {
    expect(
      instanceUsage({
        Id: 'i-0',
        Healthy: true,
        CPUUtilization: 12.34,
        MemoryUtilization: 34.4,
        MemoryUsedBytes: 210 * 1024 * 1024
      })
    ).toBe('CPU 12% · memory 34% (210 MiB)');
    expect(
      instanceUsage({ Id: 'i-0', Healthy: true, CPUUtilization: 150 })
    ).toBe('CPU 150% · memory —');
    expect(
      instanceUsage({ Id: 'i-0', Healthy: true, CPUUtilization: null })
    ).toBeNull();
    expect(formatPercent(2.345)).toBe('2.3%');
  });

  it("takes the metrics answer's latest samples over describe's", () => {
    const variants = [
      variant('A', {
        Instances: [
          { Id: 'A-0', Healthy: true, CPUUtilization: 1, MemoryUsedBytes: 5 },
          { Id: 'A-1', Healthy: true, CPUUtilization: 2 }
        ]
      })
    ];
    const metrics: IEndpointMetrics = {
      Period: 60,
      Variants: {},
      Instances: {
        A: [{ Id: 'A-0', CPUUtilization: 80, MemoryUtilization: 40 }]
      }
    };
    const [a] = withLatestUsage(variants, metrics);
    expect(a.Instances![0]).toMatchObject({
      CPUUtilization: 80,
      MemoryUtilization: 40,
      MemoryUsedBytes: 5
    });
    expect(a.Instances![1].CPUUtilization).toBe(2);
    expect(withLatestUsage(variants, null)).toEqual(variants);
  });

  it('charts CPU and memory per variant from the minutes', () => {
    const cpu = ENDPOINT_CHARTS.find(c => c.field === 'CPUUtilization')!;
    const memory = ENDPOINT_CHARTS.find(c => c.field === 'MemoryUtilization')!;
    const metrics: IEndpointMetrics = {
      Period: 60,
      Variants: {
        A: [
          { Timestamp: 60_000, CPUUtilization: 30, MemoryUtilization: 10 },
          { Timestamp: 120_000, CPUUtilization: null }
        ],
        B: [{ Timestamp: 120_000, CPUUtilization: 50, MemoryUtilization: 20 }]
      }
    };
    expect(chartSeries(metrics, cpu)).toEqual([
      [60, 120],
      [30, null],
      [null, 50]
    ]);
    expect(chartSeries(metrics, memory)).toEqual([
      [60, 120],
      [10, null],
      [null, 20]
    ]);
  });
});

describe('data capture', () => {
  it('previews text bodies cut short and binary ones by size', () => {
    expect(capturePreview({ data: '1,2\n3,4', encoding: 'CSV' })).toBe(
      '1,2 3,4'
    );
    expect(capturePreview({ data: 'AAAA', encoding: 'BASE64' })).toBe(
      '3 bytes (binary)'
    );
    expect(capturePreview({ data: 'AA==', encoding: 'BASE64' })).toBe(
      '1 byte (binary)'
    );
    expect(
      capturePreview({ data: 'x'.repeat(500), encoding: 'JSON' })
    ).toHaveLength(160);
    expect(capturePreview(undefined)).toBe('—');
  });

  it('sums up the settings', () => {
    expect(captureSummary(null)).toBe('Reading the data capture…');
    expect(captureSummary({ EnableCapture: false })).toMatch(/^Not capturing/);
    expect(
      captureSummary({
        EnableCapture: true,
        CurrentSamplingPercentage: 50,
        DestinationS3Uri: 's3://atelier/capture'
      })
    ).toBe('Capturing 50% of invocations to s3://atelier/capture');
  });

  it('shows the spool against its cap, and when it is full', () => {
    const MiB = 1024 * 1024;
    expect(spoolUse(null)).toBe('—');
    expect(spoolUse({ EnableCapture: true })).toBe('—');
    expect(
      spoolUse({
        EnableCapture: true,
        SpoolBytes: 5 * MiB,
        SpoolMaxBytes: 1024 * MiB
      })
    ).toBe('5.0 MiB of 1024.0 MiB');
    expect(
      spoolUse({
        EnableCapture: true,
        SpoolBytes: 1024 * MiB,
        SpoolMaxBytes: 1024 * MiB
      })
    ).toBe('full: 1024.0 MiB of 1024.0 MiB');
  });
});
