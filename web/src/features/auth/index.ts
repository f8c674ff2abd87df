export { LoginPage, safeNext } from './LoginPage';
export { SignupPage } from './SignupPage';
export { UnlockPage } from './UnlockPage';
export { ProfilePage } from './ProfilePage';
export { useLogout } from './logout';
