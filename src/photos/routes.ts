import { withNoTake } from '../clips/queries.js';
import fp from 'fastify-plugin';
import { currentUser } from '../auth/require-user.js';
import { clipCards } from '../clips/card-html.js';
import { pageCsrfToken } from '../platform/csrf-token.js';
import { MIN_PHOTO_SIDE, normalizeImage, type NormalizedImage } from '../clips/image.js';
import { enforceRate } from '../limits/rates.js';
import { checkClipCap, roomLeft } from '../limits/quota.js';
import type { Clip } from '../platform/db-types.js';
import { UserError } from '../platform/errors.js';
import { flash } from '../platform/view.js';
import { ownProject } from '../projects/own.js';
import { ratioOrDefault } from '../settings/ratios.js';
import { getSettings } from '../settings/service.js';
import { readPhotos } from './read.js';
import { addPhoto, MAX_PHOTOS_PER_REQUEST } from './service.js';
import { photosNotice } from './notice.js';
import { listOfferInputs } from '../shape/queries.js';
import { shapeOfferFor } from '../shape/service.js';

/**
 * `POST /projects/:id/photos`: many photos at once, each a free clip with its draft. Every file is
 * checked on its own (type by its bytes, size while it streams, pixels from its header, decoded),
 * counted against the hourly upload limit before it is read and against the storage quota before
 * it is stored; good files land even when others are refused, and each refusal names its file.
 */
export default fp(
  async (app) => {
    app.post('/projects/:id/photos', { preHandler: ownProject() }, async (req, reply) => {
      const user = currentUser(req);
      const { project } = req;
      if (!req.isMultipart()) throw new UserError('Choose photos to add: this form must be sent as a file upload.', 400);
      const settings = await getSettings(app.db);
      // Refused before a byte is read: no room for one more clip, or no storage left at all.
      await checkClipCap(app.db, settings, project.id);
      await roomLeft(app.db, settings, user.id, 1);
      const size = ratioOrDefault(project.ratio, settings.defaultRatio);

      // Clips are added in the order of the files, whichever is decoded first.
      let previous: Promise<unknown> = Promise.resolve();
      const outcomes = await readPhotos<Clip>(req, {
        maxBytes: app.config.MAX_IMAGE_BYTES,
        maxPhotos: MAX_PHOTOS_PER_REQUEST,
        admit: () => enforceRate(app.ctx, 'image-upload', user.id),
        make: (file) => {
          const image: Promise<NormalizedImage> = normalizeImage({ path: file.path }, {
            width: size.width,
            height: size.height,
            maxPixels: app.config.MAX_IMAGE_PIXELS,
            maxBytes: app.config.MAX_IMAGE_BYTES,
            minSide: MIN_PHOTO_SIDE,
          });
          const turn = previous;
          const added = image.then(async (img) => {
            await turn;
            return addPhoto(app.ctx, settings, { userId: user.id, project, image: img, requestId: req.id });
          });
          previous = added.catch(() => {});
          return added;
        },
        onUnexpected: (err, index) => req.log.error({ err, index }, 'a photo could not be added'),
      });
      if (outcomes.length === 0) throw new UserError('Choose one or more photos to add.', 400, 'no_image');

      const made = outcomes.flatMap((o) => (o.made ? [o.made] : []));
      const refusals = outcomes.flatMap((o) => (o.refused ? [{ index: o.index, name: o.name, ...o.refused }] : []));
      const notice = photosNotice(made.length, refusals);
      // Nothing landed: the request failed as its first file did (415, 413, 422, 429…).
      const status = made.length ? 200 : refusals[0]!.status;

      if (!req.isHtmx) {
        if (!made.length) throw new UserError(notice.text, status, 'photos_refused');
        flash(reply, refusals.length ? 'error' : 'notice', notice.text);
        return reply.redirect(`/projects/${project.id}`, 303);
      }
      const csrfToken = pageCsrfToken(reply);
      const cards = (await clipCards(app).cardsOf(made.map(withNoTake), { csrfToken })).map((html) => html.toString('utf8'));
      // With the photos in, the shape most of them suggest (src/shape), for the page's offer.
      const shapeOffer = made.length ? shapeOfferFor(project, await listOfferInputs(app.db, user.id, project.id)) : undefined;
      reply.code(status);
      return reply.render('photos/_results', { cards, refusals, notice, projectId: project.id, balanceUpdate: null, shapeOffer, csrfToken });
    });
  },
  { name: 'photos', dependencies: ['view', 'auth', 'projects', 'clips'] },
);
