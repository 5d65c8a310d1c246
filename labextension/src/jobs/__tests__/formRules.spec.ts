import { FORM_ERROR, errorsFromServer, serverFieldError } from '../formRules';

describe('server errors', () => {
  it('finds the field path a 400 names', () => {
    expect(
      serverFieldError(
        'InputDataConfig[0].DataSource.S3DataSource.S3Uri: is not an S3 URI'
      )
    ).toEqual({
      field: 'InputDataConfig[0].DataSource.S3DataSource.S3Uri',
      message: 'is not an S3 URI'
    });
    expect(serverFieldError('TrainingJobName: too long')?.field).toBe(
      'TrainingJobName'
    );
    expect(serverFieldError('the request body is not JSON')).toBeNull();
  });

  it('puts 400 on its field, 409 on the name, the rest on the form', () => {
    expect(
      errorsFromServer(400, 'ResourceConfig.InstanceType: unknown type ml.x')
    ).toEqual({
      'ResourceConfig.InstanceType': 'unknown type ml.x'
    });
    expect(
      errorsFromServer(409, 'a training job named a already exists')
    ).toEqual({
      TrainingJobName: 'a training job named a already exists'
    });
    expect(errorsFromServer(500, 'boom')).toEqual({ [FORM_ERROR]: 'boom' });
    expect(errorsFromServer(400, 'no field here')).toEqual({
      [FORM_ERROR]: 'no field here'
    });
  });
});
