// What an SDK call failed with, for asserting AWS's error codes and messages (shared by every suite).

/** Name, message, HTTP status and modelled fields of the failure ('no error' when the call succeeds). */
export async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number; fields: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } } & Record<string, unknown>;
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode, fields: err };
  }
  return { name: 'no error', message: '', fields: {} };
}

/** The error name (AWS's code) an SDK call fails with ('no error' when it succeeds). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  return (await errorOf(p)).name;
}

/** Name and message of the failure, for deepEqual against AWS's wording. */
export async function failureOf(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  const { name, message } = await errorOf(p);
  return { name, message };
}
