// The resident data pool's named queries (residents.sql), shared by the routes, the import and the seeders.
import { loadSql } from '../db/sql.js';

export const SQL = loadSql(new URL('./residents.sql', import.meta.url), [
  'list', 'one', 'houses', 'firms', 'byGrid', 'tags', 'tagList', 'tagOne', 'tagInsert', 'tagUpdate', 'tagNameTaken', 'tagUses',
  'tagDelete', 'setPersonTagsClear', 'setPersonTagsAdd', 'visitInsert', 'visitCandidates', 'visitIntervals', 'seedSynthetic',
  'gridsByRef', 'buildingsById', 'existingIdNumbers', 'existingCreditCodes', 'existingUnits', 'insertPeople', 'insertHouses', 'insertFirms',
]);
