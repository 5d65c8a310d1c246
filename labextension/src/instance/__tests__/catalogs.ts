import { IKernelRow } from '../../running/tokens';
import { toRow } from '../../running/format';
import { kernel, NOW } from '../../running/__tests__/fixtures';
import { ICatalogs } from '../spec';

const GIB = 1024 ** 3;

/** The catalogs as the Atelier API serves them on a host without GPUs. */
export function catalogs(): ICatalogs {
  return {
    types: {
      default: 'ml.t3.medium',
      host_gpus: 0,
      instance_types: [
        {
          name: 'ml.t3.medium',
          vcpus: 2,
          memory_bytes: 4 * GIB,
          memory_gib: 4,
          gpus: 0,
          price_per_hour: 0.05,
          description: 'General purpose, burstable',
          available: true,
          unavailable_reason: null
        },
        {
          name: 'ml.m5.large',
          vcpus: 2,
          memory_bytes: 8 * GIB,
          memory_gib: 8,
          gpus: 0,
          price_per_hour: 0.115,
          description: 'General purpose',
          available: true,
          unavailable_reason: null
        },
        {
          name: 'ml.g4dn.xlarge',
          vcpus: 4,
          memory_bytes: 16 * GIB,
          memory_gib: 16,
          gpus: 1,
          price_per_hour: 0.7364,
          description: 'Accelerated computing, 1 NVIDIA T4 GPU',
          available: false,
          unavailable_reason: 'needs 1 GPU; this host has none'
        }
      ]
    },
    images: {
      default: 'local',
      docker_problem: null,
      images: [
        {
          name: 'local',
          display_name: 'Local environment',
          runtime: 'process',
          kernelspecs: ['python3']
        },
        {
          name: 'atelier/base:latest',
          display_name: 'Atelier base',
          runtime: 'docker',
          kernelspecs: ['python3']
        }
      ]
    }
  };
}

/** A kernel row the Running panel holds, on the given instance. */
export function kernelOn(instanceType: string, image: string): IKernelRow {
  return toRow(
    kernel({ instance_id: 'i1', instance_type: instanceType, image }),
    NOW
  );
}
