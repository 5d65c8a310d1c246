/**
 * Jest runs the TypeScript sources through ts-jest (CommonJS output, see
 * tsconfig.test.json) in a jsdom environment.
 */
module.exports = {
  testEnvironment: 'jsdom',
  testEnvironmentOptions: { pretendToBeVisual: true },
  roots: ['<rootDir>/src'],
  testMatch: ['**/__tests__/**/*.spec.ts?(x)'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'jsx', 'json'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }]
  },
  collectCoverageFrom: ['src/**/*.{ts,tsx}', '!src/**/__tests__/**']
};
