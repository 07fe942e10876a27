// The status page and its JSON API, as one router for the operator's HTTP app. It reads
// cluster state through the function handed in and never imports the controllers.
import express from 'express';
import { statusApiRouter, type StatusApiOptions } from './api.js';
import { statusPageRouter } from './page.js';

export { type StatusApiOptions } from './api.js';
export { type Authenticate, type Authorize, rememberedAuthentication, rememberedAuthorization, type UserInfo } from './auth.js';

export function statusRouter(o: StatusApiOptions): express.Router {
  const router = express.Router();
  router.use(statusApiRouter(o), statusPageRouter());
  return router;
}
