// Tencent's REST APIs by area, as far as Parley's scope reaches: what the README's coverage table
// compares the registry against. It names Tencent's APIs only; whether Parley has one is read from
// the registry, never written here. A family Parley has not begun is one entry ("service/*").

export interface TencentArea {
  area: string;
  /** "service/command", or "service/*" for every API of a service. */
  apis: string[];
}

export const TENCENT_AREAS: readonly TencentArea[] = [
  {
    area: 'Accounts',
    apis: [
      'im_open_login_svc/account_import',
      'im_open_login_svc/multiaccount_import',
      'im_open_login_svc/account_delete',
      'im_open_login_svc/account_check',
      'im_open_login_svc/kick',
    ],
  },
  { area: 'Online status', apis: ['openim/query_online_status', 'openim/querystate'] },
  {
    area: 'One-to-one messages',
    apis: [
      'openim/sendmsg',
      'openim/batchsendmsg',
      'openim/importmsg',
      'openim/admin_getroammsg',
      'openim/admin_msgwithdraw',
      'openim/modify_c2c_msg',
      'openim/admin_set_msg_read',
      'openim/get_c2c_unread_msg_num',
      'openim/delete_c2c_msg_ramble',
      'openim/c2c_msg_read_receipt',
    ],
  },
  {
    area: 'Message extensions',
    apis: ['openim_msg_ext_http_svc/set_key_values', 'openim_msg_ext_http_svc/get_key_values'],
  },
  { area: 'Conversation list', apis: ['recentcontact/get_list', 'recentcontact/delete'] },
  { area: 'Profiles', apis: ['profile/portrait_get', 'profile/portrait_set'] },
  { area: 'Global mute', apis: ['openconfigsvr/setnospeaking', 'openconfigsvr/getnospeaking'] },
  { area: 'Groups', apis: ['group_open_http_svc/*'] },
  { area: 'Relationship chain (friends, blocklist)', apis: ['sns/*'] },
  { area: 'Push to all users', apis: ['all_member_push/*'] },
];
