export interface SignedInUser {
  id: string;
  displayName: string;
  email: string | undefined;
  /** The scopes 7Geese granted, when the strategy asked for the token response. */
  scopes: string[] | undefined;
}
