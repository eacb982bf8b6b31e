/**
 * The Lambda entry point as deployed: settings from the environment variable the construct writes,
 * Powertools Logger/Metrics/Batch, SDK clients mocked. A forged record is dropped (not retried) and
 * the EMF metric line says why; a good record raises a finding on the bus.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { DETECTOR_ENV } from '../../lambda/detector/settings';
import { resetMocks, settings, eventsMock } from './harness';
import { INSTANCE_A, batchRecord, captureEvents, sqsEvent } from './records';

test('handler: forged record dropped with an EventsRejected metric, good record published', async () => {
  resetMocks();
  process.env[DETECTOR_ENV.settings] = JSON.stringify({ ...settings(), intelLocations: [] });
  const out: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const logSpy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.map(String).join(' ')));
  const infoSpy = jest.spyOn(console, 'info').mockImplementation((...args: unknown[]) => void out.push(args.map(String).join(' ')));
  const warnSpy = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void out.push(args.map(String).join(' ')));
  try {
    // Required after the environment is set: the handler reads its settings once, at module load.
    const { handler } = require('../../lambda/detector/index') as typeof import('../../lambda/detector/index');
    const events = captureEvents('reverse-shell-bash', INSTANCE_A);
    const forged = batchRecord(INSTANCE_A, events.slice(0, 3), 'forged', { source: 'picket.agent/arn:aws:ec2:eu-west-1:999988887777:instance/i-0aaaaaaaaaaaaaaa1' });
    const context = { functionName: 'picket-detector', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:picket-detector', memoryLimitInMB: '1024', functionVersion: '$LATEST', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
    const response = await handler(sqsEvent([forged, batchRecord(INSTANCE_A, events, 'good')]), context);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(eventsMock.commandCalls(PutEventsCommand).length).toBeGreaterThan(0);
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
    logSpy.mockRestore();
    infoSpy.mockRestore();
    warnSpy.mockRestore();
  }
  const text = out.join('\n');
  const emf = text.split('\n').filter((l) => l.includes('"_aws"') && l.includes('EventsRejected'));
  expect(emf.length).toBeGreaterThan(0);
  const metric = JSON.parse(emf[0]!.slice(emf[0]!.indexOf('{')));
  expect(metric._aws.CloudWatchMetrics[0].Namespace).toBe('Picket');
  expect(metric.Reason).toBe('forged-source');
  expect(metric.EventsRejected).toBe(3);
  expect(text).toMatch(/"message":"record rejected"/);
});
