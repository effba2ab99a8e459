/**
 * The API's OpenAPI document, generated from the routes and schemas the app
 * validates with, and served at /v1/openapi.json. test/e2e/api.test.ts checks
 * real responses against it, and schemathesis fuzzes the running API with it.
 */
import { createApiApp } from './app.ts';
import { documentOf } from './document.ts';

function generate() {
  // Documentation only: no route runs, so the app never asks for its deps.
  const app = createApiApp(() => Promise.reject(new Error('the document app serves no requests')));
  return documentOf(app);
}

export const openApiDocument = generate();
